import Foundation
public import PQ

/// Idempotency records in PostgreSQL, so they survive restarts and are shared
/// by every server process on the database.
///
/// `begin` claims a key with `INSERT … ON CONFLICT DO NOTHING`; whoever
/// inserts proceeds. A request that finds the key claimed by a request still
/// running polls the row (every 20 ms, up to 30 s, without holding a
/// connection) and then replays its response, or claims the key itself if
/// that request was abandoned. A claim left behind by a process that died
/// mid-request, or by a request whose database went away (a failover), goes
/// stale after a lease (10 s) and is then taken over, so a crash does not block
/// a key for long; a request still running renews its claim
/// (``renew(scope:key:)``) so that it is never taken over while it runs. A
/// takeover cannot record a command twice: the command's answer is stored with
/// its events (an append receipt), and a second attempt is answered from it.
public final class IdempotencyStore: IdempotencyRecording {
    private let pool: ConnectionPool
    private let retentionSeconds: Double
    private let pollInterval: Duration
    private let maximumWait: Duration
    private let leaseSeconds: Double
    public let claimLease: Duration

    /// Keeps keys for `retention` (24 hours by default); older ones count as absent.
    public convenience init(pool: ConnectionPool, retention: Duration = .seconds(86_400)) {
        self.init(
            pool: pool, retention: retention, pollInterval: .milliseconds(20), maximumWait: .seconds(30),
            lease: .seconds(10))
    }

    /// Also sets how often a waiting request looks again, how long it waits at
    /// most, and after how long an unfinished claim counts as abandoned.
    init(pool: ConnectionPool, retention: Duration, pollInterval: Duration, maximumWait: Duration, lease: Duration) {
        self.pool = pool
        retentionSeconds = Self.seconds(retention)
        self.pollInterval = pollInterval
        self.maximumWait = maximumWait
        leaseSeconds = Self.seconds(lease)
        claimLease = lease
    }

    public func begin(scope: IdempotencyScope, key: String, requestHash: String) async throws -> IdempotencyDecision {
        try Self.validate(key)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: maximumWait)
        while true {
            if let decision = try await attempt(scope: scope, key: key, requestHash: requestHash) {
                return decision
            }
            guard clock.now < deadline else { throw IdempotencyKeyError.stillInProgress }
            try await Task.sleep(for: pollInterval)
        }
    }

    public func complete(scope: IdempotencyScope, key: String, response: StoredResponse) async throws {
        try Self.validate(key)
        let retention = retentionSeconds
        try await pool.withConnection { connection in
            try connection.execute(
                """
                UPDATE idempotency_keys
                   SET state = 'completed', status = \(response.status), content_type = \(response.contentType),
                       body = \(Data(response.body))::bytea
                 WHERE subject = \(scope.subject) AND method = \(scope.method) AND path = \(scope.path)
                   AND key = \(key) AND state = 'in-progress'
                   AND created_at >= now() - make_interval(secs => \(retention))
                """)
        }
    }

    public func abandon(scope: IdempotencyScope, key: String) async throws {
        try Self.validate(key)
        try await pool.withConnection { connection in
            try connection.execute(
                """
                DELETE FROM idempotency_keys
                 WHERE subject = \(scope.subject) AND method = \(scope.method) AND path = \(scope.path)
                   AND key = \(key) AND state = 'in-progress'
                """)
        }
    }

    public func renew(scope: IdempotencyScope, key: String) async throws {
        try Self.validate(key)
        try await pool.withConnection { connection in
            try connection.execute(
                """
                UPDATE idempotency_keys SET created_at = now()
                 WHERE subject = \(scope.subject) AND method = \(scope.method) AND path = \(scope.path)
                   AND key = \(key) AND state = 'in-progress'
                """)
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Refuses keys that are empty, longer than 255 characters or not visible ASCII.
    static func validate(_ key: String) throws {
        let bytes = key.utf8
        guard (1...255).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw IdempotencyKeyError.malformed(key)
        }
    }

    /// One look at the key: a decision, or `nil` while another request holds it.
    private func attempt(
        scope: IdempotencyScope, key: String, requestHash: String
    ) async throws
        -> IdempotencyDecision?
    {
        let retention = retentionSeconds
        let lease = leaseSeconds
        return try await pool.withConnection { connection in
            try connection.execute(
                """
                DELETE FROM idempotency_keys
                 WHERE subject = \(scope.subject) AND method = \(scope.method) AND path = \(scope.path)
                   AND key = \(key) AND created_at < now() - make_interval(secs => \(retention))
                """)
            try connection.execute(
                """
                DELETE FROM idempotency_keys
                 WHERE ctid = ANY (ARRAY(
                       SELECT ctid FROM idempotency_keys
                        WHERE created_at < now() - make_interval(secs => \(retention))
                        LIMIT 100))
                """)
            let claimed = try connection.execute(
                """
                INSERT INTO idempotency_keys (subject, method, path, key, request_hash, state)
                VALUES (\(scope.subject), \(scope.method), \(scope.path), \(key), \(requestHash), 'in-progress')
                ON CONFLICT DO NOTHING
                """)
            if claimed > 0 { return .proceed }
            guard
                let row = try connection.query(
                    """
                    SELECT request_hash, state, status, content_type, body,
                           created_at < now() - make_interval(secs => \(retention)),
                           state = 'in-progress' AND created_at < now() - make_interval(secs => \(lease))
                      FROM idempotency_keys
                     WHERE subject = \(scope.subject) AND method = \(scope.method) AND path = \(scope.path)
                       AND key = \(key)
                    """
                ).first
            else { return nil }
            if try row.decode(5, as: Bool.self) { return nil }
            if try row.decode(6, as: Bool.self) {
                let taken = try connection.execute(
                    """
                    UPDATE idempotency_keys SET created_at = now(), request_hash = \(requestHash)
                     WHERE subject = \(scope.subject) AND method = \(scope.method) AND path = \(scope.path)
                       AND key = \(key) AND state = 'in-progress'
                       AND created_at < now() - make_interval(secs => \(lease))
                    """)
                return taken > 0 ? .proceed : nil
            }
            guard try row.decode(0, as: String.self) == requestHash else { return .keyReusedWithDifferentBody }
            guard try row.decode(1, as: String.self) == "completed" else { return nil }
            return .replay(
                StoredResponse(
                    status: try row.decode(2), contentType: try row.decode(3),
                    body: Array(try row.decode(4, as: Data.self))))
        }
    }
}
