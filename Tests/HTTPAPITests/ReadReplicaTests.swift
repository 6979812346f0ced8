import Access
import EventStore
import Foundation
import JSON
import PQ
import Projections
import TestSupport
import Testing

/// `touchstone serve` on a streaming hot standby made with `pg_basebackup` (``TestStandby``) beside
/// one on its primary: the replica serves reports, history and the feed, refuses every write with
/// 503 `read-only-replica`, and runs no projection runner; a report with `knownAt` is the same on
/// both once the replica's `walPosition` has reached the primary's (the lag rule of the docs).
@Suite("Read replica")
struct ReadReplicaTests {
    @Test(.timeLimit(.minutes(10)))
    func servesReportsAsThePrimaryAndRefusesWrites() async throws {
        let cluster = TestCluster.dedicated()
        let database = try await TestDatabase.make(on: cluster)
        defer { database.pool.close() }
        let admin = try await TokenStore(pool: database.pool).create(role: .admin, name: "replica-test").token
        let standby = try await TestStandby(of: cluster)
        let environment = ["TOUCHSTONE_DRAIN_DELAY": "0", "LOG_LEVEL": "warning"]
        let primary = try await ServeProcess(
            url: database.url, masterKey: database.masterKey, extraEnvironment: environment)
        let replica = try await ServeProcess(
            url: standby.url(of: database.url), masterKey: database.masterKey, extraEnvironment: environment)
        let writer = CommandSender(probe: primary.probe, token: admin)

        #expect(try await Self.readiness(primary.probe)["mode"] as? String == "primary")
        let replicaReadiness = try await Self.readiness(replica.probe)
        #expect(replicaReadiness["mode"] as? String == "replica")
        #expect(replicaReadiness.keys.contains("replayedAt"))

        // Known before `knownAt`: three clients with a deal, an order, an invoice and part paid.
        var clients: [String] = []
        for number in 1...3 { clients.append(try await writer.salesHistory(number: number)) }
        try await Self.waitForReadModels(primary.probe, token: admin)
        let knownAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1).rounded(.down))
        let knownAtText = ISO8601DateFormatter().string(from: knownAt)
        try await Task.sleep(for: .seconds(knownAt.timeIntervalSinceNow + 1.1))

        // Recorded after `knownAt`, under load: four writers touch, pay and register for 4 s while
        // the replica's lag is sampled (bytes of WAL behind, and the time to replay a position).
        let lag = ReplayLag(primary: database.url, standby: standby.url(of: database.url))
        let loadEnds = ContinuousClock.now + .seconds(4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<4 {
                group.addTask { [clients] in
                    var round = 0
                    while ContinuousClock.now < loadEnds {
                        round += 1
                        try await writer.touch(clients[(lane + round) % clients.count])
                        if round % 5 == 0 { _ = try await writer.registerClient("Late \(lane)-\(round)") }
                    }
                }
            }
            group.addTask { try await lag.sample(until: loadEnds) }
            try await group.waitForAll()
        }
        try await writer.pay(clients[0], amountMinor: 5_000)
        try await Self.waitForReadModels(primary.probe, token: admin)

        // The lag rule: the replica answers as the primary once its walPosition reaches the
        // primary's, read after the primary's read models caught up.
        let target = try #require(try await Self.readiness(primary.probe)["walPosition"] as? Int)
        let caughtUp = ContinuousClock.now
        try await waitUntil("the replica replays past the primary's walPosition", within: .seconds(60)) {
            (try await Self.readiness(replica.probe)["walPosition"] as? Int ?? 0) >= target
        }
        print(
            "replica lag under load: \(lag.summary); after the load the replica reached the primary's position in "
                + "\(Int((ContinuousClock.now - caughtUp) / .milliseconds(1))) ms")

        let reads = [
            "/v1/receivables/aging?asOf=2026-03-31&knownAt=\(knownAtText)",
            "/v1/pipelines/sales/board?knownAt=\(knownAtText)",
            "/v1/retention?knownAt=\(knownAtText)",
            "/v1/clients/\(clients[0])/history?knownAt=\(knownAtText)",
            "/v1/clients/\(clients[0])/history",
            "/v1/events?after=0&limit=1000",
            "/v1/projections",
        ]
        for path in reads {
            let onPrimary = try await primary.probe.send("GET", path, headers: writer.authorization)
            let onReplica = try await replica.probe.send("GET", path, headers: writer.authorization)
            #expect(onPrimary.status == 200, "\(path): \(onPrimary.body)")
            #expect(onReplica.status == 200, "\(path) on the replica: \(onReplica.body)")
            #expect(onPrimary.body == onReplica.body, "\(path) differs on the replica")
        }
        // `knownAt` matters here: the aging of today counts the payment made after it.
        let now = try await primary.probe.send(
            "GET", "/v1/receivables/aging?asOf=2026-03-31", headers: writer.authorization)
        let then = try await primary.probe.send("GET", reads[0], headers: writer.authorization)
        #expect(now.body != then.body)

        // Every write on the replica is refused with a problem, and nothing is appended.
        let eventsBefore = try Self.eventCount(standby.url(of: database.url))
        let refusals: [(String, String, String?)] = [
            ("POST", "/v1/clients", #"{"name": "On the replica", "kind": "company"}"#),
            (
                "POST", "/v1/clients/\(clients[1])/touches",
                #"{"channel": "call", "direction": "outbound", "occurredAt": "2026-02-01T10:00:00Z"}"#
            ),
            ("POST", "/v1/projections/aging/rebuild", nil),
            ("DELETE", "/v1/clients/\(clients[2])/personal-data", nil),
        ]
        for (method, path, body) in refusals {
            let answer = try await replica.probe.send(
                method, path,
                headers: writer.authorization.merging(
                    ["Idempotency-Key": UUID().uuidString, "Content-Type": "application/json"]) { $1 }, body: body)
            #expect(answer.status == 503, "\(method) \(path): \(answer.body)")
            #expect(answer.headers["content-type"] == "application/problem+json")
            #expect(answer.headers["retry-after"] == "5")
            #expect(answer.body.contains("https://touchstone.dev/problems/read-only-replica"), "\(answer.body)")
        }
        #expect(try await replica.probe.send("POST", "/v1/nowhere", headers: writer.authorization).status == 404)
        #expect(try Self.eventCount(standby.url(of: database.url)) == eventsBefore)

        // The runner, its wake-ups and the token listener run on the primary only.
        let background = ["touchstone-projections", "touchstone-listener", "touchstone-tokens"]
        #expect(try Self.sessions(named: background, at: standby.url(of: database.url)) == 0)
        #expect(try Self.sessions(named: background, at: database.url) > 0)
        #expect(!replica.output.contains(#""level":"error""#), "the replica logged errors: \(replica.output)")
    }

    /// The feed's horizon on a standby (migration 0016): an append held open on the primary is not
    /// passed on the replica either, though the standby sees neither its lock nor the sequence as
    /// the primary does; once it commits and the runner moves on, the replica reads all, in order.
    @Test(.timeLimit(.minutes(5)))
    func aReplicaReaderDoesNotPassAnOpenWriterOfThePrimary() async throws {
        let cluster = TestCluster.dedicated()
        let database = try await TestDatabase.make(on: cluster)
        defer { database.pool.close() }
        let standby = try await TestStandby(of: cluster)
        let onStandby = try Connection(conninfo: standby.url(of: database.url))
        let runner = try Connection(conninfo: database.url)
        let event = {
            NewEvent(
                type: "ReplicaProbed", data: #"{"n": 1}"#, metadata: EventMetadata(actor: "test"),
                occurredAt: "2026-03-01T09:30:00Z")
        }
        let held = try await OpenAppend(on: database, event: event)
        while try ProjectionRegistry.applyNextBatch(
            .board, batchSize: 100, personalData: database.personalData, on: runner) > 0
        {}
        try await Self.waitForReplay(primary: runner, standby: onStandby)
        let whileOpen = try EventStore.readAll(after: 0, limit: 100, on: onStandby)
        #expect(whileOpen.allSatisfy { $0.position < held.positions[0] }, "\(whileOpen.map(\.position))")

        try held.commit()
        while try ProjectionRegistry.applyNextBatch(
            .board, batchSize: 100, personalData: database.personalData, on: runner) > 0
        {}
        try await Self.waitForReplay(primary: runner, standby: onStandby)
        let afterCommit = try EventStore.readAll(after: whileOpen.last?.position ?? 0, limit: 100, on: onStandby)
        let positions = (whileOpen + afterCommit).map(\.position)
        #expect(positions.count == 7)
        #expect(positions.contains(held.positions[0]) && positions.contains(held.positions[1]))
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 })
        #expect(positions == (try EventStore.readAll(after: 0, limit: 100, on: runner)).map(\.position))
    }

    /// A server for the primary whose database refuses writes as read-only (SQLSTATE 25006, as a
    /// demoted primary does; here every session is `default_transaction_read_only`) answers a
    /// command 503 `read-only-replica` with `Retry-After`, not 500, and appends nothing.
    @Test(.timeLimit(.minutes(5)))
    func aWriteRefusedAsReadOnlyIsAProblem() async throws {
        let database = try await TestDatabase.make()
        defer { database.pool.close() }
        let admin = try await TokenStore(pool: database.pool).create(role: .admin, name: "read-only").token
        let server = try await ServeProcess(
            url: database.url, masterKey: database.masterKey,
            extraEnvironment: [
                "TOUCHSTONE_DRAIN_DELAY": "0", "LOG_LEVEL": "critical",
                "PGOPTIONS": "-c default_transaction_read_only=on",
            ])
        let answer = try await server.probe.send(
            "POST", "/v1/clients",
            headers: [
                "Authorization": "Bearer \(admin)", "Idempotency-Key": UUID().uuidString,
                "Content-Type": "application/json",
            ], body: #"{"name": "Read-only", "kind": "company"}"#)
        #expect(answer.status == 503, "\(answer.body)")
        #expect(answer.headers["retry-after"] == "5")
        #expect(answer.body.contains("https://touchstone.dev/problems/read-only-replica"), "\(answer.body)")
        #expect(try Self.eventCount(database.url) == 0)
    }

    /// Waits until the standby has replayed the primary's WAL as written now.
    static func waitForReplay(primary: Connection, standby: Connection) async throws {
        let written: Int64 =
            try primary.query("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").first?.decode(0) ?? 0
        try await waitUntil("the standby replays", within: .seconds(30)) {
            let replayed: Int64 =
                try standby.query("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint").first?
                .decode(0) ?? 0
            return replayed >= written
        }
    }

    /// The JSON of `GET /readyz`.
    static func readiness(_ probe: HTTPProbe) async throws -> [String: Any] {
        let answer = try await probe.send("GET", "/readyz")
        #expect(answer.status == 200, "\(answer.body)")
        return try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
    }

    /// Waits until every read model of the server at `probe` has `lagEvents` 0.
    static func waitForReadModels(_ probe: HTTPProbe, token: String) async throws {
        try await waitUntil("the read models catch up", within: .seconds(60)) {
            let answer = try await probe.send("GET", "/v1/projections", headers: ["Authorization": "Bearer \(token)"])
            return answer.status == 200 && FaultInjectionTests.allCaughtUp(answer.body)
        }
    }

    static func eventCount(_ url: String) throws -> Int64 {
        try Connection(conninfo: url).query("SELECT count(*) FROM events").first?.decode(0) ?? -1
    }

    /// Sessions of the database at `url` whose application name is one of `names`.
    static func sessions(named names: [String], at url: String) throws -> Int64 {
        try Connection(conninfo: url).query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = ANY(\(names)::text[])"
        ).first?.decode(0) ?? -1
    }
}
