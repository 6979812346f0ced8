import CLibPQ

/// Buffers text for `COPY … FROM STDIN` and sends it in large chunks.
public struct CopyWriter: ~Copyable {
    let connection: Connection
    var buffer: [UInt8] = []
    static let chunkSize = 256 * 1024

    init(connection: Connection) {
        self.connection = connection
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Appends text in COPY's format (one line per row, tab-separated by default).
    public mutating func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunkSize { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                PQputCopyData(connection.handle, chars.baseAddress, Int32(chars.count))
            }
        }
        guard sent == 1 else { throw connection.connectionError() }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension Connection {
    /// Runs `COPY … FROM STDIN`, feeding it whatever `body` writes; returns the
    /// number of rows copied. An error in `body` aborts the COPY (nothing stored).
    @discardableResult
    public func copyIn(_ sql: SQL, _ body: (inout CopyWriter) throws -> Void) throws -> Int {
        _ = try startCopy(sql, expecting: PGRES_COPY_IN)
        var writer = CopyWriter(connection: self)
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            PQputCopyEnd(handle, "aborted by the client")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError() }
        return try finishCopy()
    }

    /// Runs `COPY … TO STDOUT`, handing each chunk (one row in text format) to
    /// `body`; returns the number of rows.
    @discardableResult
    public func copyOut(_ sql: SQL, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        _ = try startCopy(sql, expecting: PGRES_COPY_OUT)
        var failure: (any Error)?
        while true {
            var chunk: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &chunk, 0)
            if length > 0, let chunk {
                defer { PQfreemem(chunk) }
                if failure == nil {
                    do { try body(UnsafeRawBufferPointer(start: chunk, count: Int(length))) } catch {
                        failure = error
                        PQrequestCancel(handle)
                    }
                }
            } else if length == -1 {
                break
            } else {
                throw connectionError()
            }
        }
        do {
            let count = try finishCopy()
            if let failure { throw failure }
            return count
        } catch {
            throw failure ?? error
        }
    }

    private func startCopy(_ sql: SQL, expecting status: ExecStatusType) throws -> Bool {
        let result = withParameters(sql.binds) { values, lengths, formats in
            PQexecParams(handle, sql.text, Int32(sql.binds.count), nil, values, lengths, formats, 0)
        }
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        guard PQresultStatus(result) == status else {
            let error = resultError(result)
            return try { throw error }()
        }
        return true
    }

    private func finishCopy() throws -> Int {
        var rows = 0
        var failure: PQError?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                rows = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = resultError(result)
            }
        }
        if let failure { throw failure }
        return rows
    }

    func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}
