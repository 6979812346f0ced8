import CLibPQ
import Glibc

/// One libpq connection. Every call blocks the calling thread, so a
/// `Connection` lives on a thread of its own (see ``ConnectionPool``) and never
/// on Swift's cooperative pool. Every `PGresult` is freed before a call returns,
/// on every path.
public final class Connection {
    let handle: OpaquePointer
    private var preparedStatements: [String: String] = [:]
    /// The most statements kept prepared on one connection; past it they are all deallocated.
    static let preparedLimit = 500

    /// Connects with a libpq connection string or `postgresql://` URI, passed as
    /// a keyword value (never concatenated into a string).
    ///
    /// `conninfo` and libpq's environment variables (`PGAPPNAME`, `PGCONNECT_TIMEOUT`, …) stay in
    /// charge: `applicationName` is passed as `fallback_application_name`, which the server sees
    /// only when neither names an `application_name`, and nothing else is added to them (a keyword
    /// after the expanded `dbname` would override the URL). `settings` are session settings
    /// (`statement_timeout`, …) given to the new session with `set_config` before it is used.
    public init(conninfo: String, applicationName: String = "touchstone", settings: [String: String] = [:]) throws {
        let keywords = ["dbname", "fallback_application_name"]
        let values = [conninfo, applicationName]
        let connection = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PQError(kind: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PQError(kind: .connectionFailed, message: message.trimmingTrailingNewlines)
        }
        handle = connection
        // Server notices (NOTICE, WARNING) are not errors; keep them off stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        // A refused setting throws from here; deinit then closes the connection.
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            try execute("SELECT set_config(\(name), \(value), false)")
        }
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether the connection is still usable.
    public var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The backend's process id (useful to test a dropped connection).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Whether a transaction block is open.
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Runs one statement and returns its rows. With `prepared`, the statement is
    /// prepared once per connection and executed by name afterwards.
    @discardableResult
    public func query(_ sql: SQL, prepared: Bool = false) throws -> QueryResult {
        let result: OpaquePointer?
        if prepared {
            let name = try preparedName(for: sql.text, parameterCount: sql.binds.count)
            result = withParameters(sql.binds) { values, lengths, formats in
                PQexecPrepared(handle, name, Int32(sql.binds.count), values, lengths, formats, 0)
            }
        } else {
            result = withParameters(sql.binds) { values, lengths, formats in
                PQexecParams(handle, sql.text, Int32(sql.binds.count), nil, values, lengths, formats, 0)
            }
        }
        return try consume(result)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL, prepared: Bool = false) throws -> Int {
        try query(sql, prepared: prepared).affectedRows
    }

    /// Runs a script of statements without parameters (migrations).
    public func executeScript(_ script: String) throws {
        let result = PQexec(handle, script)
        _ = try consume(result)
    }

    /// Streams the rows of a statement one at a time (libpq single-row mode), in
    /// constant memory whatever the result's size. With `prepared`, the statement is
    /// prepared once per connection and executed by name afterwards.
    public func forEachRow(_ sql: SQL, prepared: Bool = false, _ body: (Row) throws -> Void) throws {
        let name = prepared ? try preparedName(for: sql.text, parameterCount: sql.binds.count) : nil
        let sent = withParameters(sql.binds) { values, lengths, formats in
            if let name {
                PQsendQueryPrepared(handle, name, Int32(sql.binds.count), values, lengths, formats, 0)
            } else {
                PQsendQueryParams(handle, sql.text, Int32(sql.binds.count), nil, values, lengths, formats, 0)
            }
        }
        guard sent == 1 else { throw connectionError() }
        guard PQsetSingleRowMode(handle) == 1 else { throw connectionError() }
        var failure: (any Error)?
        var columns: [String]?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if failure != nil { continue }
            let status = PQresultStatus(result)
            if status == PGRES_SINGLE_TUPLE {
                do {
                    let names = columns ?? columnNames(result)
                    columns = names
                    try body(Row(columns: names, values: rowValues(result, row: 0)[...]))
                } catch {
                    failure = error
                    PQrequestCancel(handle)
                }
            } else if status != PGRES_TUPLES_OK {
                failure = resultError(result)
            }
        }
        if let failure { throw failure }
    }

    /// Runs `body` inside `begin … COMMIT` (`begin` may name an isolation level or `READ ONLY`);
    /// any error rolls back and is rethrown.
    public func transaction<T>(beginning begin: SQL = "BEGIN", _ body: (Connection) throws -> T) throws -> T {
        try execute(begin)
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if isAlive, inTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    // MARK: - Results

    /// Turns a `PGresult` into a ``QueryResult`` or an error, freeing it.
    func consume(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY else {
            throw resultError(result)
        }
        let columns = columnNames(result)
        let rowCount = Int(PQntuples(result))
        var cells = [String?]()
        cells.reserveCapacity(rowCount * columns.count)
        for row in 0..<rowCount {
            cells.append(contentsOf: rowValues(result, row: Int32(row)))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(columns: columns, cells: cells, affectedRows: affected)
    }

    func columnNames(_ result: OpaquePointer) -> [String] {
        (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
    }

    func rowValues(_ result: OpaquePointer, row: Int32) -> [String?] {
        (0..<PQnfields(result)).map { column in
            PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
        }
    }

    /// The error a failed result carries; a broken connection is `connectionLost`.
    func resultError(_ result: OpaquePointer) -> PQError {
        func field(_ code: UInt8) -> String? {
            guard let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(UInt8(ascii: "C"))
        let message = field(UInt8(ascii: "M")) ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines
        if !isAlive || sqlState?.hasPrefix("08") == true || sqlState == "57P01" {
            return PQError(kind: .connectionLost, sqlState: sqlState, message: message)
        }
        return PQError(
            kind: .server, sqlState: sqlState, message: message, detail: field(UInt8(ascii: "D")),
            constraint: field(UInt8(ascii: "n")))
    }

    /// The error for a call that failed without a result.
    func connectionError() -> PQError {
        let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines
        return PQError(kind: isAlive ? .client : .connectionLost, message: message)
    }

    private func preparedName(for text: String, parameterCount: Int) throws -> String {
        if let name = preparedStatements[text] { return name }
        if preparedStatements.count >= Self.preparedLimit {
            // Statements naming the tables of generations long dropped (a rebuild names new
            // ones) would otherwise pile up on a connection that lives for months.
            _ = try consume(PQexec(handle, "DEALLOCATE ALL"))
            preparedStatements = [:]
        }
        let name = "ts_\(preparedStatements.count + 1)"
        _ = try consume(PQprepare(handle, name, text, Int32(parameterCount), nil))
        preparedStatements[text] = name
        return name
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}

/// Calls `body` with the C arrays libpq takes for statement parameters: the values (nil is NULL),
/// their lengths and their formats (0 text, 1 binary; a text value's length is not read).
func withParameters<R>(
    _ binds: [PQParameter?], _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> R
) -> R {
    var lengths = [Int32](repeating: 0, count: binds.count)
    var formats = [Int32](repeating: 0, count: binds.count)
    let values: [UnsafeMutablePointer<CChar>?] = binds.enumerated().map { index, bind in
        switch bind {
        case nil: return nil
        case .text(let text): return strdup(text)
        case .binary(let bytes):
            lengths[index] = Int32(bytes.count)
            formats[index] = 1
            let copy = UnsafeMutableRawBufferPointer(start: malloc(max(1, bytes.count)), count: bytes.count)
            copy.copyBytes(from: bytes)
            return copy.baseAddress?.assumingMemoryBound(to: CChar.self)
        }
    }
    defer { values.forEach { free($0) } }
    return body(values.map { $0.map { UnsafePointer($0) } }, lengths, formats)
}

/// Calls `body` with a C array of C strings for `strings` (nil stays NULL).
func withCStringArray<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { pointers.forEach { free($0) } }
    return body(pointers.map { $0.map { UnsafePointer($0) } })
}

/// Calls `body` with a NULL-terminated C array of C strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    withCStringArray(strings + [nil], body)
}
