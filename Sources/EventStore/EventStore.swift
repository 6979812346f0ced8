import Foundation
import Logging
import PQ

/// The append-only log of every fact, in PostgreSQL.
///
/// An append to one stream is one statement (see ``appendStatement(stream:expected:events:clientID:claims:)``),
/// an append to several streams the `append_segments` function of `Schema/0005`:
/// one round trip per append; version check, idempotency, claims and the
/// commit-safe ordering lock in one transaction. Reads of the global log stop at the safe
/// horizon (see `safe_position()`), so a reader that resumes from the last
/// position it saw sees every committed event exactly once.
public final class EventStore: Sendable {
    /// The largest payload (or metadata) document accepted, in bytes.
    public static let maximumPayloadBytes = 256 * 1024
    /// The largest batch one append takes.
    public static let maximumBatchSize = 10_000

    /// The pool every call runs on.
    public let pool: ConnectionPool
    let signal: CommitSignal
    let logger: Logger

    public init(pool: ConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
        signal = CommitSignal(pool: pool, logger: logger)
    }

    /// Appends `events` to `stream` atomically if it is at `expected`.
    ///
    /// Re-appending a batch whose event ids are all stored with the same content
    /// returns the original positions and writes nothing. `claims` are business
    /// keys taken in the same transaction; one already taken fails the append.
    public func append(
        to stream: StreamID, expected: ExpectedVersion, events: [NewEvent], clientID: UUID? = nil,
        claims: [Claim] = []
    ) async throws -> AppendResult {
        let statement = try Self.appendStatement(
            stream: stream, expected: expected, events: events, clientID: clientID, claims: claims)
        let result = try await pool.withConnection { connection in
            try Self.runAppend(
                statement, on: connection, stream: stream, expected: expected, events: events, claims: claims)
        }
        if !result.replayed { signal.poke() }
        return result
    }

    /// Appends on a connection the caller holds (inside its own transaction, or
    /// in a bulk import). The caller must call ``notifyReaders()`` after commit.
    public static func append(
        on connection: Connection, to stream: StreamID, expected: ExpectedVersion, events: [NewEvent],
        clientID: UUID? = nil, claims: [Claim] = []
    ) throws -> AppendResult {
        let statement = try appendStatement(
            stream: stream, expected: expected, events: events, clientID: clientID, claims: claims)
        return try runAppend(
            statement, on: connection, stream: stream, expected: expected, events: events, claims: claims)
    }

    /// Wakes readers waiting on new events (coalesced: at most one NOTIFY per
    /// short interval from this process).
    public func notifyReaders() {
        signal.poke()
    }

    /// The one statement that appends `events` to `stream`: it moves the stream's row on if it is
    /// at `expected` (`streams`), takes the claims, takes the commit-safe ordering lock (see
    /// `safe_position()`), inserts the events with positions in batch order and their ids
    /// (`event_ids`), and answers one row per event, in order. When the stream is not at
    /// `expected` it writes nothing and answers no row. One plain statement, not a plpgsql
    /// function: under pgbench with eight clients (the server alone) the function doing the same
    /// writes took 6,500-9,700 appends/s, this statement 19,000-22,000.
    static func appendStatement(
        stream: StreamID, expected: ExpectedVersion, events: [NewEvent], clientID: UUID?, claims: [Claim]
    ) throws -> SQL {
        let metadata = try checked(events, expecting: [(stream, expected)])
        let streamID = stream.description
        let count = Int64(events.count)
        let code = expected.code
        // One event's columns go as plain parameters, a batch's as arrays.
        let rows: SQL =
            if events.count == 1, let event = events.first {
                """
                (VALUES (\(event.eventID)::uuid, \(event.type)::text, \(event.schemaVersion)::integer,
                         \(event.data)::jsonb, \(metadata[0])::jsonb, \(event.occurredAt)::timestamptz, 1::bigint))
                """
            } else {
                """
                unnest(\(events.map(\.eventID))::uuid[], \(events.map(\.type))::text[],
                       \(events.map(\.schemaVersion))::integer[], \(events.map(\.data))::jsonb[], \(metadata)::jsonb[],
                       \(events.map(\.occurredAt))::timestamptz[]) WITH ORDINALITY
                """
            }
        let claimed: SQL =
            claims.isEmpty
            ? ""
            : """
            claimed AS (
                INSERT INTO claims (scope, key, stream_id)
                SELECT c.scope, c.key, \(streamID) FROM versioned,
                       unnest(\(claims.map(\.scope))::text[], \(claims.map(\.key))::text[]) AS c(scope, key)),

            """
        // `created` covers `any` (insert or move on) and `noStream` (insert only); `moved` an exact
        // version. The lock is keyed by the highest position handed out before the events take
        // theirs: the events' rows are made (and their positions drawn) only once it is held.
        return """
            WITH created AS (
                INSERT INTO streams AS s (stream_id, version) SELECT \(streamID), \(count)::bigint WHERE \(code)::bigint < 0
                ON CONFLICT (stream_id) DO UPDATE SET version = s.version + \(count)::bigint WHERE \(code)::bigint = -2
                RETURNING s.version),
            moved AS (
                UPDATE streams AS s SET version = s.version + \(count)::bigint
                 WHERE \(code)::bigint >= 1 AND s.stream_id = \(streamID) AND s.version = \(code)::bigint
                RETURNING s.version),
            versioned AS (SELECT version FROM created UNION ALL SELECT version FROM moved),
            \(fragment: claimed)ordered AS (
                SELECT pg_advisory_xact_lock_shared(CASE WHEN q.is_called THEN q.last_value ELSE q.last_value - 1 END)
                  FROM versioned, event_position q),
            appended AS (
                INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata,
                                    client_id, occurred_at)
                SELECT \(streamID), v.version - \(count)::bigint + u.ordinal, u.event_id, u.type, u.schema_version,
                       u.data, u.metadata, \(clientID)::uuid, u.occurred_at
                  FROM versioned v, ordered,
                       \(fragment: rows) AS u(event_id, type, schema_version, data, metadata, occurred_at, ordinal)
                RETURNING position, stream_version, recorded_at, event_id),
            identified AS (INSERT INTO event_ids (event_id, position) SELECT event_id, position FROM appended)
            SELECT position, stream_version, recorded_at AT TIME ZONE 'UTC' FROM appended ORDER BY position
            """
    }

    /// Checks a batch before it is sent (size, payloads, types, expected versions, unique ids) and
    /// answers each event's metadata as JSON text.
    static func checked(_ events: [NewEvent], expecting expectations: [(StreamID, ExpectedVersion)]) throws -> [String] {
        guard !events.isEmpty else { throw EventStoreError.emptyBatch }
        guard events.count <= maximumBatchSize else {
            throw EventStoreError.invalidEvent(eventID: "", reason: "a batch holds at most \(maximumBatchSize) events")
        }
        var metadata = [String]()
        metadata.reserveCapacity(events.count)
        // An import's events share one metadata: written once.
        var previous: (metadata: EventMetadata, json: String)?
        for event in events {
            var id: String { event.eventID.uuidString.lowercased() }
            let meta = previous.flatMap { $0.metadata == event.metadata ? $0.json : nil } ?? event.metadata.json
            previous = (event.metadata, meta)
            for document in [event.data, meta] {
                guard document.utf8.count <= maximumPayloadBytes else {
                    throw EventStoreError.payloadTooLarge(eventID: id, bytes: document.utf8.count)
                }
                guard document.utf8.first(where: { !$0.isJSONWhitespace }) == UInt8(ascii: "{") else {
                    throw EventStoreError.invalidJSON(eventID: id)
                }
            }
            guard event.schemaVersion >= 1 else {
                throw EventStoreError.invalidEvent(eventID: id, reason: "schema version must be at least 1")
            }
            guard !event.type.isEmpty, event.type.utf8.count <= 100 else {
                throw EventStoreError.invalidEvent(eventID: id, reason: "type must be 1 to 100 characters")
            }
            metadata.append(meta)
        }
        for (stream, expected) in expectations {
            if case .exact(let version) = expected, version < 1 {
                throw EventStoreError.versionConflict(stream: stream.description, expected: expected, actual: -1)
            }
        }
        guard Set(events.map(\.eventID)).count == events.count else {
            throw EventStoreError.invalidEvent(eventID: "", reason: "an event id appears twice in the batch")
        }
        return metadata
    }

    static func runAppend(
        _ statement: SQL, on connection: Connection, stream: StreamID, expected: ExpectedVersion,
        events: [NewEvent], claims: [Claim]
    ) throws -> AppendResult {
        var attempts = 0
        while true {
            attempts += 1
            // A version conflict (no row: nothing was written) or a stored event id may be a retry
            // of a batch already appended: then its original result is the answer. Inside a
            // caller's transaction a failed statement has aborted it, and it cannot ask.
            let conflict: PQError?
            do {
                let rows = try connection.query(statement, prepared: true).rows
                if !rows.isEmpty { return try appendResult(rows, replayed: false) }
                conflict = nil
            } catch let error as PQError {
                guard error.isStoredEventID, !connection.inTransaction else {
                    throw translate(error, stream: stream, expected: expected, claims: claims)
                }
                conflict = error
            }
            let stored: [Row]
            do {
                stored = try connection.query(
                    """
                    SELECT event_position, event_stream_version, event_recorded_at AT TIME ZONE 'UTC'
                      FROM stored_batch(\(stream.description), \(events.map(\.eventID))::uuid[],
                           \(events.map(\.type))::text[], \(events.map(\.schemaVersion))::integer[],
                           \(events.map(\.data))::jsonb[])
                    """, prepared: true
                ).rows
            } catch let failure as PQError {
                throw translate(failure, stream: stream, expected: expected, claims: claims)
            }
            if !stored.isEmpty { return try appendResult(stored, replayed: true) }
            guard let conflict else {
                let actual: Int64 =
                    try connection.query(
                        "SELECT coalesce((SELECT version FROM streams WHERE stream_id = \(stream.description)), 0)",
                        prepared: true
                    ).first?.decode(0) ?? 0
                throw EventStoreError.versionConflict(stream: stream.description, expected: expected, actual: actual)
            }
            // The ids' other writer rolled back between our two statements: try again.
            if attempts == 1 { continue }
            throw translate(conflict, stream: stream, expected: expected, claims: claims)
        }
    }

    static func appendResult(_ rows: [Row], replayed: Bool) throws -> AppendResult {
        AppendResult(
            positions: try rows.map { try $0.decode(0) },
            streamVersion: try rows.map { try $0.decode(1, as: Int64.self) }.max() ?? 0,
            recordedAt: try rows.first.map { rfc3339(utcTimestamp: try $0.decode(2)) } ?? "",
            replayed: replayed)
    }

    /// PostgreSQL's `timestamp` text in UTC (`2026-03-01 09:30:00.12`) as RFC 3339
    /// (`2026-03-01T09:30:00.12Z`); PostgreSQL already trims trailing zeros.
    static func rfc3339(utcTimestamp text: String) -> String {
        var bytes = Array(text.utf8)
        if bytes.count > 10, bytes[10] == UInt8(ascii: " ") { bytes[10] = UInt8(ascii: "T") }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func translate(_ error: PQError, stream: StreamID, expected: ExpectedVersion, claims: [Claim]) -> any Error {
        switch error.sqlState {
        case "TS409":
            return EventStoreError.versionConflict(
                stream: stream.description, expected: expected, actual: Int64(error.detail ?? "") ?? 0)
        case _ where error.sqlState == "TS422" || error.isStoredEventID:
            return EventStoreError.eventIDReused(stream: stream.description)
        case "23505" where error.constraint == "claims_pkey":
            let taken = claims.first { claim in error.detail?.contains("(\(claim.scope), \(claim.key))") == true }
            let claim = taken ?? claims.first ?? Claim(scope: "", key: "")
            return EventStoreError.claimTaken(scope: claim.scope, key: claim.key)
        case "22P02", "22P05", "22032", "22025":
            return EventStoreError.invalidJSON(eventID: "")
        case "22007", "22008", "22009":
            return EventStoreError.invalidEvent(eventID: "", reason: "occurredAt is not a valid instant")
        default:
            return error
        }
    }
}

extension PQError {
    /// A unique violation on `event_ids`: some event id of the append is already stored.
    var isStoredEventID: Bool { sqlState == "23505" && constraint == "event_ids_pkey" }
}

extension UInt8 {
    /// Whether the byte is white space between JSON tokens (space, tab, CR, LF).
    public var isJSONWhitespace: Bool {
        self == UInt8(ascii: " ") || self == UInt8(ascii: "\n") || self == UInt8(ascii: "\r") || self == UInt8(ascii: "\t")
    }
}
