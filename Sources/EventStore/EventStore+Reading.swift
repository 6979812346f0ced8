public import Foundation
public import PQ

extension EventStore {
    /// The columns every read returns, in ``RecordedEvent``'s order.
    static let eventColumns: SQL = """
        position, event_id, stream_id, stream_version, type, schema_version, data::text, metadata::text,
        client_id, occurred_at AT TIME ZONE 'UTC', recorded_at AT TIME ZONE 'UTC'
        """

    static func recordedEvent(_ row: Row) throws -> RecordedEvent {
        RecordedEvent(
            position: try row.decode(0), eventID: try row.decode(1), streamID: try row.decode(2),
            streamVersion: try row.decode(3), type: try row.decode(4), schemaVersion: try row.decode(5),
            data: try row.decode(6), metadata: try row.decode(7), clientID: try row.decodeOptional(8),
            occurredAt: rfc3339(utcTimestamp: try row.decode(9)),
            recordedAt: rfc3339(utcTimestamp: try row.decode(10)))
    }

    /// The events of one stream from `version` on, in version order.
    public func readStream(_ stream: StreamID, from version: Int64 = 1) async throws -> [RecordedEvent] {
        try await pool.withConnection { connection in
            try Self.readStream(stream, from: version, on: connection)
        }
    }

    /// ``readStream(_:from:)`` on a connection the caller holds.
    public static func readStream(
        _ stream: StreamID, from version: Int64 = 1, on connection: Connection
    ) throws
        -> [RecordedEvent]
    {
        try connection.query(
            """
            SELECT \(fragment: eventColumns) FROM events
             WHERE stream_id = \(stream.description) AND stream_version >= \(version)
             ORDER BY stream_version
            """, prepared: true
        ).rows.map(recordedEvent)
    }

    /// How many events of `client` hold any of `fragments` in their payload's text (an erasure
    /// counts the events that hold values sealed by the keys it deletes).
    public static func countClientEvents(
        _ client: UUID, holdingAnyOf fragments: [String], on connection: Connection
    )
        throws -> Int
    {
        guard !fragments.isEmpty else { return 0 }
        let patterns = fragments.map {
            "%" + $0.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        }
        let count: Int64 =
            try connection.query(
                """
                SELECT count(*) FROM events
                 WHERE client_id = \(client) AND data::text LIKE ANY(\(PQBinaryArray.text(patterns))::text[])
                """
            ).first?.decode(0) ?? 0
        return Int(count)
    }

    /// The highest position below which every transaction has ended: readers of
    /// the global log never go past it.
    public static func safePosition(on connection: Connection) throws -> Int64 {
        try connection.query("SELECT safe_position()", prepared: true).first?.decode(0) ?? 0
    }

    /// Up to `limit` events of the global log after `position`, in position
    /// order, never past the safe horizon.
    public func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await pool.withConnection { connection in
            try Self.readAll(after: position, limit: limit, on: connection)
        }
    }

    /// ``readAll(after:limit:)`` on a connection the caller holds (outside a
    /// transaction: the horizon and the rows must come from two snapshots).
    public static func readAll(after position: Int64, limit: Int, on connection: Connection) throws -> [RecordedEvent] {
        let horizon = try safePosition(on: connection)
        guard horizon > position else { return [] }
        return try connection.query(
            """
            SELECT \(fragment: eventColumns) FROM events
             WHERE position > \(position) AND position <= \(horizon)
             ORDER BY position LIMIT \(limit)
            """, prepared: true
        ).rows.map(recordedEvent)
    }

    /// Streams every event after `position` up to the safe horizon, in
    /// constant memory; returns the last position handed to `body`.
    public static func forEachEvent(
        after position: Int64, on connection: Connection, _ body: (RecordedEvent) throws -> Void
    ) throws -> Int64 {
        let horizon = try safePosition(on: connection)
        var last = position
        guard horizon > position else { return last }
        try connection.forEachRow(
            """
            SELECT \(fragment: eventColumns) FROM events
             WHERE position > \(position) AND position <= \(horizon)
             ORDER BY position
            """
        ) { row in
            let event = try recordedEvent(row)
            try body(event)
            last = event.position
        }
        return last
    }

    /// Every event of one client (all its streams) in log order, up to the safe horizon, handed
    /// to `chunk` in consecutive runs of `chunkSize` (the last one shorter) as the rows arrive:
    /// a caller can work on the first events while the server is still sending the rest. When
    /// `chunk` throws, the rest of the read is cancelled and the error rethrown. Answers how many
    /// events there were.
    public func readClient(
        _ clientID: UUID, chunkSize: Int, _ chunk: @escaping @Sendable ([RecordedEvent]) throws -> Void
    ) async throws -> Int {
        precondition(chunkSize > 0, "a chunk holds at least one event")
        return try await pool.withConnection { connection in
            var pending = [RecordedEvent]()
            pending.reserveCapacity(chunkSize)
            var count = 0
            try connection.forEachRow(Self.clientEvents(clientID, on: connection), prepared: true) { row in
                pending.append(try Self.recordedEvent(row))
                count += 1
                if pending.count == chunkSize {
                    try chunk(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            if !pending.isEmpty { try chunk(pending) }
            return count
        }
    }

    private static func clientEvents(_ clientID: UUID, on connection: Connection) throws -> SQL {
        let horizon = try safePosition(on: connection)
        return """
            SELECT \(fragment: eventColumns) FROM events
             WHERE client_id = \(clientID) AND position <= \(horizon)
             ORDER BY position
            """
    }

    /// The current version of a stream (0 when it does not exist).
    public func version(of stream: StreamID) async throws -> Int64 {
        try await pool.withConnection { connection in
            try connection.query("SELECT version FROM streams WHERE stream_id = \(stream.description)", prepared: true)
                .first?.decode(0) ?? 0
        }
    }

    /// The streams of `category` that exist, ordered by id.
    public func streams(inCategory category: String) async throws -> [StreamID] {
        let texts: [String] = try await pool.withConnection { connection in
            try connection.query(
                "SELECT stream_id FROM streams WHERE stream_id LIKE \(category + "-%") ORDER BY stream_id",
                prepared: true
            ).rows.map { try $0.decode(0) }
        }
        return try texts.map { try StreamID($0) }
    }

    /// Which of `streams` exist, in one query.
    public func existing(_ streams: some Collection<StreamID>) async throws -> Set<StreamID> {
        guard !streams.isEmpty else { return [] }
        let texts = streams.map(\.description)
        // Planned anew each time: a plan cached while `streams` was small scans the whole table.
        let stored: [String] = try await pool.withConnection { connection in
            try connection.query("SELECT stream_id FROM streams WHERE stream_id = ANY(\(texts)::text[])")
                .rows.map { try $0.decode(0) }
        }
        return Set(try stored.map { try StreamID($0) })
    }

    /// The stream that claimed `key` in `scope`, if any.
    public func stream(claiming key: String, in scope: String) async throws -> StreamID? {
        let text: String? = try await pool.withConnection { connection in
            try connection.query(
                "SELECT stream_id FROM claims WHERE scope = \(scope) AND key = \(key)", prepared: true
            ).first?.decode(0)
        }
        return try text.map { try StreamID($0) }
    }

    /// The newest position and recording instant in the log (0 and nil when empty).
    public func head() async throws -> (position: Int64, recordedAt: Date?) {
        try await pool.withConnection { connection in
            let horizon = try Self.safePosition(on: connection)
            let row = try connection.query(
                """
                SELECT position, extract(epoch FROM recorded_at)::float8 FROM events
                 WHERE position <= \(horizon) ORDER BY position DESC LIMIT 1
                """, prepared: true
            ).first
            guard let row else { return (0, nil) }
            return (try row.decode(0), Date(timeIntervalSince1970: try row.decode(1)))
        }
    }
}
