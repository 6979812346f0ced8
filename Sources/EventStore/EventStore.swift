public import Foundation
public import Logging
public import PQ

/// The append-only log of every fact, in PostgreSQL.
///
/// An append is one statement (see ``appendStatement(_:)``), for one stream or for a group of
/// concurrent appends to several (``GroupCommit``); an import's all-or-nothing append to several
/// streams is the `append_segments` function of `Schema/0005`:
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
    let groups: GroupCommit
    let metrics = AppendMetrics()

    /// - Parameter groupsInFlight: how many groups of concurrent appends (see ``GroupCommit``)
    ///   may be committing at once, each on its own connection of `pool`: one while groups keep
    ///   being taken, more only while the one at work is held up.
    public init(pool: ConnectionPool, logger: Logger, groupsInFlight: Int = 2) {
        self.pool = pool
        self.logger = logger
        signal = CommitSignal(pool: pool, logger: logger)
        groups = GroupCommit(pool: pool, signal: signal, groupsInFlight: groupsInFlight)
    }

    /// Appends `events` to `stream` atomically if it is at `expected`.
    ///
    /// Re-appending a batch whose event ids are all stored with the same content
    /// returns the original positions and writes nothing. `claims` are business
    /// keys taken in the same transaction; one already taken fails the append. A `receipt` is
    /// stored in the same transaction; one whose key is already stored fails the append with
    /// ``EventStoreError/receiptStored(key:)``. With `newIDs` (ids made for this attempt), a
    /// stream not at `expected` fails at once with a conflict whose `actual` is -1 (not read).
    /// With `sealingKeyIDs` (see ``StreamAppend/sealingKeyIDs``) the append also fails with that
    /// conflict when one of those data keys was deleted.
    ///
    /// Appends that callers make at the same time to different streams are committed together
    /// (see ``GroupCommit``): each is still checked against its own expected version and answers
    /// alone, and none waits for more company than is already queued.
    public func append(
        to stream: StreamID, expected: ExpectedVersion, events: [NewEvent], clientID: UUID? = nil,
        claims: [Claim] = [], receipt: AppendReceipt? = nil, newIDs: Bool = false, sealingKeyIDs: [UUID] = []
    ) async throws -> AppendResult {
        precondition(sealingKeyIDs.isEmpty || newIDs, "a refused data key is told only as the conflict of new ids")
        let part = StreamAppend(
            stream: stream, expected: expected, events: events, clientID: clientID, claims: claims, receipt: receipt,
            newIDs: newIDs, sealingKeyIDs: sealingKeyIDs)
        let metadata = try Self.checked(events, expecting: [(stream, expected)])
        let start = ContinuousClock.now
        do {
            let result = try await groups.append(CheckedAppend(part: part, metadata: metadata))
            metrics.record(count: events.count, since: start, error: nil)
            return result
        } catch {
            metrics.record(count: events.count, since: start, error: error)
            throw error
        }
    }

    /// Appends on a connection the caller holds (inside its own transaction, or
    /// in a bulk import). The caller must call ``notifyReaders()`` after commit.
    public static func append(
        on connection: Connection, to stream: StreamID, expected: ExpectedVersion, events: [NewEvent],
        clientID: UUID? = nil, claims: [Claim] = []
    ) throws -> AppendResult {
        let part = StreamAppend(stream: stream, expected: expected, events: events, clientID: clientID, claims: claims)
        let metadata = try checked(events, expecting: [(stream, expected)])
        return try runAppend(CheckedAppend(part: part, metadata: metadata), on: connection)
    }

    /// Wakes readers waiting on new events (coalesced: at most one NOTIFY per
    /// short interval from this process).
    public func notifyReaders() {
        signal.poke()
    }

    /// The one statement that appends each part to its stream: it moves each stream's row on if
    /// it is at the part's expected version (`streams`), takes the claims and stores the receipts
    /// of the parts that moved,
    /// takes the commit-safe ordering lock (see `safe_position()`), inserts those parts' events
    /// with positions in the order given and their ids (`event_ids`), and answers one row per
    /// event (stream, position, version, recorded at), in order. A part whose stream is not at its
    /// expected version, or one of whose sealing keys is gone (``StreamAppend/sealingKeyIDs``),
    /// writes nothing and answers no row; the others go on. The streams must be
    /// distinct. One plain statement, not a plpgsql function: under pgbench with eight clients
    /// (the server alone) a function doing the same writes for one event took 6,500-9,700
    /// appends/s, a statement 19,000-22,000.
    static func appendStatement(_ appends: [CheckedAppend]) -> SQL {
        let parts = appends.map(\.part)
        let events = parts.flatMap(\.events)
        let eventParts = parts.indices.flatMap { index in
            Array(repeating: Int64(index + 1), count: parts[index].events.count)
        }
        let ordinals = parts.flatMap { part in Array(1...Int64(part.events.count)) }
        let claimParts = parts.indices.flatMap { index in parts[index].claims.map { _ in Int64(index + 1) } }
        let claims = parts.flatMap(\.claims)
        let receiptParts = parts.indices.filter { parts[$0].receipt != nil }
        let receipts = receiptParts.compactMap { parts[$0].receipt }
        // Only appends that carry a receipt (commands with an Idempotency-Key) pay for its CTE.
        let receipted: SQL =
            receipts.isEmpty
            ? ""
            : """
            receipted AS (
                INSERT INTO append_receipts (key, answer)
                SELECT r.key, r.answer
                  FROM versioned v
                  JOIN unnest(\(PQBinaryArray.int8(receiptParts.map { Int64($0 + 1) }))::bigint[], \(receipts.map(\.key))::text[],
                              \(receipts.map(\.answer))::text[]) AS r(part, key, answer) USING (part)),
            """
        let keyParts = parts.indices.flatMap { index in parts[index].sealingKeyIDs.map { _ in Int64(index + 1) } }
        let keyIDs = parts.flatMap(\.sealingKeyIDs)
        // Only groups with keys taken from memory pay for checking and locking them.
        let keyed: (checks: SQL, filter: SQL) =
            keyIDs.isEmpty
            ? ("", "")
            : (
                """
                sealing AS (
                    SELECT k.part, k.key_id FROM unnest(\(PQBinaryArray.int8(keyParts))::bigint[], \(PQBinaryArray.uuid(keyIDs))::uuid[])
                        AS k(part, key_id)),
                kept_keys AS (
                    SELECT key_id FROM personal_data_keys WHERE key_id IN (SELECT key_id FROM sealing) FOR KEY SHARE),
                """,
                """
                 WHERE NOT EXISTS (SELECT FROM sealing s WHERE s.part = p.part
                                      AND NOT EXISTS (SELECT FROM kept_keys k WHERE k.key_id = s.key_id))
                """
            )
        // `opened` covers `noStream` (insert only), `extended` `any` (insert or move on), `moved` an
        // exact version; only those the parts need are in the statement (each write a statement
        // holds costs its executor setup even when it writes nothing), and so is `claimed`. The
        // lock is keyed by the highest position handed out before the events take theirs: their
        // rows are made (and their positions drawn) only once it is held. The long arrays go in
        // binary format: neither side quotes, escapes or scans them.
        let codes = Set(parts.map(\.expected.code))
        let versioning: [(needed: Bool, name: String, statement: SQL)] = [
            (
                codes.contains(-1), "opened",
                """
                opened AS (
                    INSERT INTO streams (stream_id, version) SELECT p.stream_id, p.count FROM part p WHERE p.code = -1
                    ON CONFLICT (stream_id) DO NOTHING
                    RETURNING stream_id, version),
                """
            ),
            (
                codes.contains(-2), "extended",
                """
                extended AS (
                    INSERT INTO streams AS s (stream_id, version) SELECT p.stream_id, p.count FROM part p WHERE p.code = -2
                    ON CONFLICT (stream_id) DO UPDATE SET version = s.version + excluded.version
                    RETURNING s.stream_id, s.version),
                """
            ),
            (
                codes.contains { $0 >= 1 }, "moved",
                """
                moved AS (
                    UPDATE streams AS s SET version = s.version + p.count FROM part p
                     WHERE p.code >= 1 AND s.stream_id = p.stream_id AND s.version = p.code
                    RETURNING s.stream_id, s.version),
                """
            ),
        ].filter(\.needed)
        var versions: SQL = ""
        for cte in versioning { versions.append(cte.statement) }
        let versionRows = SQL(unsafeRaw: versioning.map { "TABLE \($0.name)" }.joined(separator: " UNION ALL "))
        let claimed: SQL =
            claims.isEmpty
            ? ""
            : """
            claimed AS (
                INSERT INTO claims (scope, key, stream_id)
                SELECT c.scope, c.key, v.stream_id
                  FROM versioned v
                  JOIN unnest(\(PQBinaryArray.int8(claimParts))::bigint[], \(claims.map(\.scope))::text[], \(claims.map(\.key))::text[])
                       AS c(part, scope, key) USING (part)),
            """
        return """
            WITH \(fragment: keyed.checks)
            part AS (
                SELECT * FROM unnest(\(PQBinaryArray.text(parts.map(\.stream.description)))::text[],
                                     \(PQBinaryArray.int8(parts.map(\.expected.code)))::bigint[],
                                     \(PQBinaryArray.int8(parts.map { Int64($0.events.count) }))::bigint[],
                                     \(PQBinaryArray.uuid(parts.map(\.clientID)))::uuid[])
                       WITH ORDINALITY AS p(stream_id, code, count, client_id, part)\(fragment: keyed.filter)),
            \(fragment: versions)
            versioned AS (
                SELECT p.part, p.stream_id, p.count, p.client_id, v.version
                  FROM part p JOIN (\(fragment: versionRows)) AS v USING (stream_id)),
            \(fragment: claimed)
            \(fragment: receipted)
            ordered AS (
                SELECT pg_advisory_xact_lock_shared(CASE WHEN q.is_called THEN q.last_value ELSE q.last_value - 1 END)
                  FROM event_position q WHERE EXISTS (SELECT FROM versioned)),
            appended AS (
                INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata,
                                    client_id, occurred_at)
                SELECT v.stream_id, v.version - v.count + e.ordinal, e.event_id, e.type, e.schema_version, e.data,
                       e.metadata, v.client_id, e.occurred_at::timestamptz
                  FROM ordered, versioned v
                  JOIN unnest(\(PQBinaryArray.int8(eventParts))::bigint[], \(PQBinaryArray.int8(ordinals))::bigint[], \(PQBinaryArray.uuid(events.map(\.eventID)))::uuid[],
                              \(PQBinaryArray.text(events.map(\.type)))::text[], \(PQBinaryArray.int4(events.map { Int32($0.schemaVersion) }))::integer[],
                              \(PQBinaryArray.jsonb(events.map(\.data)))::jsonb[],
                              \(PQBinaryArray.jsonb(appends.flatMap(\.metadata)))::jsonb[],
                              \(PQBinaryArray.text(events.map(\.occurredAt)))::text[]) WITH ORDINALITY
                       AS e(part, ordinal, event_id, type, schema_version, data, metadata, occurred_at, n) USING (part)
                 ORDER BY e.n
                RETURNING position, stream_id, stream_version, recorded_at, event_id),
            identified AS (INSERT INTO event_ids (event_id, position) SELECT event_id, position FROM appended)
            SELECT stream_id, position, stream_version, recorded_at AT TIME ZONE 'UTC' FROM appended ORDER BY position
            """
    }

    /// Runs ``appendStatement(_:)`` for parts on distinct streams: one result per part, in order,
    /// nil for a part whose stream was not at its expected version (nothing of it was written).
    static func appendParts(_ appends: [CheckedAppend], on connection: Connection) throws -> [AppendResult?] {
        let rows = try connection.query(appendStatement(appends), prepared: true).rows
        var rowsByStream = [String: [Row]]()
        for row in rows { rowsByStream[try row.decode(0, as: String.self), default: []].append(row) }
        return try appends.map { append in
            try rowsByStream[append.part.stream.description].map { try appendResult($0, replayed: false) }
        }
    }

    /// Checks a batch before it is sent (size, payloads, types, expected versions, unique ids) and
    /// answers each event's metadata as JSON text.
    static func checked(_ events: [NewEvent], expecting expectations: [(StreamID, ExpectedVersion)]) throws -> [String]
    {
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
            guard event.schemaVersion >= 1, event.schemaVersion <= Int32.max else {
                throw EventStoreError.invalidEvent(
                    eventID: id, reason: "schema version must be at least 1 and fit an integer column")
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

    /// Appends one part on `connection`; a version conflict or a stored event id is then told apart
    /// from a replay of a batch already appended, whose original result is the answer.
    static func runAppend(_ append: CheckedAppend, on connection: Connection) throws -> AppendResult {
        let (stream, expected, events) = (append.part.stream, append.part.expected, append.part.events)
        let (claims, receipt) = (append.part.claims, append.part.receipt)
        var attempts = 0
        while true {
            attempts += 1
            // A version conflict (no row: nothing was written) or a stored event id may be a retry
            // of a batch already appended: then its original result is the answer. Inside a
            // caller's transaction a failed statement has aborted it, and it cannot ask.
            let conflict: PQError?
            do {
                if let result = try appendParts([append], on: connection)[0] { return result }
                if append.part.newIDs {
                    throw EventStoreError.versionConflict(stream: stream.description, expected: expected, actual: -1)
                }
                conflict = nil
            } catch let error as PQError {
                guard error.isStoredEventID, !connection.inTransaction else {
                    throw translate(error, stream: stream, expected: expected, claims: claims, receipt: receipt)
                }
                conflict = error
            }
            let stored: [Row]
            do {
                stored = try connection.query(
                    """
                    SELECT event_position, event_stream_version, event_recorded_at AT TIME ZONE 'UTC'
                      FROM stored_batch(\(stream.description), \(events.map(\.eventID))::uuid[],
                           \(events.map(\.type))::text[], \(PQBinaryArray.int4(events.map { Int32($0.schemaVersion) }))::integer[],
                           \(events.map(\.data))::jsonb[])
                    """, prepared: true
                ).rows
            } catch let failure as PQError {
                throw translate(failure, stream: stream, expected: expected, claims: claims, receipt: receipt)
            }
            if !stored.isEmpty { return try appendResult(stored, replayed: true, firstColumn: 0) }
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
            throw translate(conflict, stream: stream, expected: expected, claims: claims, receipt: receipt)
        }
    }

    /// The result of rows of (stream, position, version, recorded at); `stored_batch` rows have
    /// no stream column and start at `firstColumn` 0.
    static func appendResult(_ rows: [Row], replayed: Bool, firstColumn: Int = 1) throws -> AppendResult {
        AppendResult(
            positions: try rows.map { try $0.decode(firstColumn) },
            streamVersion: try rows.map { try $0.decode(firstColumn + 1, as: Int64.self) }.max() ?? 0,
            recordedAt: try rows.first.map { rfc3339(utcTimestamp: try $0.decode(firstColumn + 2)) } ?? "",
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

    static func translate(
        _ error: PQError, stream: StreamID, expected: ExpectedVersion, claims: [Claim], receipt: AppendReceipt? = nil
    ) -> any Error {
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
        case "23505" where error.constraint == "append_receipts_pkey":
            return EventStoreError.receiptStored(key: receipt?.key ?? "")
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
        self == UInt8(ascii: " ") || self == UInt8(ascii: "\n") || self == UInt8(ascii: "\r")
            || self == UInt8(ascii: "\t")
    }
}
