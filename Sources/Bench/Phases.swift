import EventStore
import Foundation
import PQ

/// The measurements of issue 2, each with its raw PostgreSQL baseline, on one
/// database: `events` through the event store, `raw_events` for the baselines.
struct Phases: Sendable {
    let pool: ConnectionPool
    let store: EventStore
    let writers: Int

    /// The baseline tables, each with a sequence of its own and no trigger or
    /// guard table: `raw_indexed_events` has the columns, defaults, constraints
    /// and indexes of `events` (the same table shape); `raw_events` only its
    /// columns and defaults (a bare heap, the cheapest possible write).
    static let rawTables = [
        ("raw_indexed_events", "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES"),
        ("raw_events", "INCLUDING DEFAULTS"),
    ]

    func createRawTables() async throws {
        try await pool.withConnection { connection in
            for (table, likeOptions) in Self.rawTables {
                try connection.executeScript(
                    """
                    DROP TABLE IF EXISTS \(table);
                    DROP SEQUENCE IF EXISTS \(table)_position;
                    CREATE SEQUENCE \(table)_position AS bigint;
                    CREATE TABLE \(table) (LIKE events \(likeOptions));
                    ALTER TABLE \(table) ALTER COLUMN position SET DEFAULT nextval('\(table)_position');
                    """)
            }
        }
    }

    /// Vacuums and checkpoints, so one measurement's debris does not bill the next.
    func vacuum() async throws {
        try await pool.withConnection { connection in
            // One statement per call: VACUUM refuses a multi-statement string.
            for statement: SQL in [
                "VACUUM ANALYZE events", "VACUUM ANALYZE streams", "VACUUM ANALYZE event_ids",
                "VACUUM ANALYZE raw_events", "VACUUM ANALYZE raw_indexed_events", "CHECKPOINT",
            ] {
                try connection.execute(statement)
            }
        }
    }

    /// Runs `body(writer)` on `writers` concurrent tasks; returns the events written.
    func concurrently(_ body: @escaping @Sendable (Int) async throws -> Int) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers { group.addTask { try await body(writer) } }
            return try await group.reduce(0, +)
        }
    }

    static func share(_ total: Int, writers: Int, writer: Int) -> Int {
        total / writers + (writer < total % writers ? 1 : 0)
    }

    // MARK: 1. Single-event appends

    /// `EventStore.append` of one event per call (its own transaction), each
    /// writer on its own streams with the exact expected version.
    func singleAppends(events total: Int, streamsPerWriter: Int) async throws -> Measurement {
        let (count, duration) = try await measure {
            try await concurrently { writer in
                var owned = WriterStreams(count: streamsPerWriter, category: "client")
                let mine = Self.share(total, writers: writers, writer: writer)
                for index in 0..<mine {
                    let slot = index % streamsPerWriter
                    let event = Workload.event(clientID: owned.clients[slot], index: index)
                    let result = try await store.append(
                        to: owned.streams[slot], expected: ExpectedVersion(version: owned.versions[slot]),
                        events: [event], clientID: owned.clients[slot])
                    owned.versions[slot] = result.streamVersion
                }
                return mine
            }
        }
        return Measurement(label: "EventStore.append, 1 event/tx", events: count, duration: duration)
    }

    /// Baseline: a plain prepared `INSERT` of one row per transaction (autocommit) into `table`.
    func singleInserts(into table: String, events total: Int, streamsPerWriter: Int) async throws -> Measurement {
        let (count, duration) = try await measure {
            try await concurrently { writer in
                var owned = WriterStreams(count: streamsPerWriter, category: "client")
                let mine = Self.share(total, writers: writers, writer: writer)
                for index in 0..<mine {
                    let slot = index % streamsPerWriter
                    let client = owned.clients[slot]
                    let event = Workload.event(clientID: client, index: index)
                    let version = owned.versions[slot] + 1
                    owned.versions[slot] = version
                    let stream = owned.streams[slot].description
                    let metadata = Workload.metadataJSON(event)
                    try await pool.withConnection { connection in
                        try connection.execute(
                            """
                            INSERT INTO \(identifier: table) (stream_id, stream_version, event_id, type, schema_version,
                                                    data, metadata, client_id, occurred_at)
                            VALUES (\(stream), \(version), \(event.eventID), \(event.type), \(event.schemaVersion),
                                    \(event.data)::jsonb, \(metadata)::jsonb, \(client), \(event.occurredAt)::timestamptz)
                            """, prepared: true)
                    }
                }
                return mine
            }
        }
        return Measurement(label: "INSERT 1 row/tx (\(table))", events: count, duration: duration)
    }

    // MARK: 2. Batch appends

    /// `EventStore.append` of `batch` events per call, each batch to one of the
    /// writer's streams with the exact expected version.
    func batchAppends(events total: Int, batch: Int, streamsPerWriter: Int) async throws -> Measurement {
        let (count, duration) = try await measure {
            try await concurrently { writer in
                var owned = WriterStreams(count: streamsPerWriter, category: "receivables")
                let mine = Self.share(total, writers: writers, writer: writer)
                var written = 0
                var round = 0
                while written < mine {
                    let size = min(batch, mine - written)
                    let slot = round % streamsPerWriter
                    let events = (0..<size).map { Workload.event(clientID: owned.clients[slot], index: written + $0) }
                    let result = try await store.append(
                        to: owned.streams[slot], expected: ExpectedVersion(version: owned.versions[slot]),
                        events: events, clientID: owned.clients[slot])
                    owned.versions[slot] = result.streamVersion
                    written += size
                    round += 1
                }
                return written
            }
        }
        return Measurement(label: "EventStore.append, \(batch) events/tx", events: count, duration: duration)
    }

    /// Baseline: `COPY table FROM STDIN` of the same rows. With
    /// `rowsPerCopy` nil, each of the writers' connections streams its whole
    /// share in one COPY; otherwise one COPY (one transaction) per that many rows.
    func copyIn(
        into table: String, events total: Int, rowsPerCopy: Int?, streamsPerWriter: Int
    ) async throws
        -> Measurement
    {
        let (count, duration) = try await measure {
            try await concurrently { writer in
                var owned = WriterStreams(count: streamsPerWriter, category: "receivables")
                let mine = Self.share(total, writers: writers, writer: writer)
                let chunk = rowsPerCopy ?? mine
                var written = 0
                var round = 0
                while written < mine {
                    let size = min(chunk, mine - written)
                    var lines = [String]()
                    lines.reserveCapacity(size)
                    // Rows as the batch appends would write them: 100 per stream in turn.
                    for offset in 0..<size {
                        let index = written + offset
                        let slot = (round + offset / 100) % streamsPerWriter
                        owned.versions[slot] += 1
                        let event = Workload.event(clientID: owned.clients[slot], index: index)
                        lines.append(
                            Workload.copyLine(
                                stream: owned.streams[slot].description, version: owned.versions[slot],
                                clientID: owned.clients[slot], event: event))
                    }
                    let rows = lines
                    try await pool.withConnection { connection in
                        try connection.copyIn(
                            """
                            COPY \(identifier: table) (stream_id, stream_version, event_id, type, schema_version, data, metadata,
                                             client_id, occurred_at) FROM STDIN
                            """
                        ) { sink in
                            for line in rows { try sink.write(line) }
                        }
                    }
                    written += size
                    round += (size + 99) / 100
                }
                return written
            }
        }
        let label = (rowsPerCopy.map { "COPY \($0) rows/tx" } ?? "COPY 1 stream/conn") + " (\(table))"
        return Measurement(label: label, events: count, duration: duration)
    }

    // MARK: 3. Reading the log

    /// `EventStore.forEachEvent` from 0: every row decoded into `RecordedEvent`.
    func readAll() async throws -> (Measurement, bytes: Int) {
        let ((count, bytes), duration) = try await measure {
            try await pool.withConnection { connection in
                var count = 0
                var bytes = 0
                var last: Int64 = 0
                _ = try EventStore.forEachEvent(after: 0, on: connection) { event in
                    precondition(event.position > last, "positions out of order")
                    last = event.position
                    count += 1
                    bytes += event.data.utf8.count + event.metadata.utf8.count
                }
                return (count, bytes)
            }
        }
        return (Measurement(label: "EventStore.forEachEvent", events: count, duration: duration), bytes)
    }

    /// Baseline: `COPY (SELECT … ORDER BY position) TO STDOUT` through `copyOut`.
    func copyOut() async throws -> (Measurement, bytes: Int) {
        let ((count, bytes), duration) = try await measure {
            try await pool.withConnection { connection in
                var bytes = 0
                let count = try connection.copyOut(
                    """
                    COPY (SELECT position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                                 client_id, occurred_at, recorded_at
                            FROM events ORDER BY position) TO STDOUT
                    """
                ) { chunk in bytes += chunk.count }
                return (count, bytes)
            }
        }
        return (
            Measurement(label: "COPY (SELECT … ORDER BY position) TO STDOUT", events: count, duration: duration), bytes
        )
    }
}
