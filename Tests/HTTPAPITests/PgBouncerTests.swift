import Access
import Foundation
import PQ
import TestSupport
import Testing

/// `touchstone serve` whose `DATABASE_URL` goes through PgBouncer 1.18 in session mode
/// (``TestPgBouncer``): commands, an idempotent replay, a refused body, the reports, the history,
/// the feed and the projection runner (its LISTEN and advisory locks ride the same sessions) all
/// work through it, and with PgBouncer stopped the server is not ready.
@Suite("PgBouncer")
struct PgBouncerTests {
    @Test(
        .enabled(
            if: TestPgBouncer.unavailableReason == nil,
            "pgbouncer is not installed; deploy/local/postgres.sh install pgbouncer (make test does) installs it"),
        .timeLimit(.minutes(5)))
    func theAPIWorksThroughSessionPooling() async throws {
        let cluster = TestCluster.dedicated()
        let database = try await TestDatabase.make(on: cluster)
        defer { database.pool.close() }
        let admin = try await TokenStore(pool: database.pool).create(role: .admin, name: "pgbouncer-test").token
        let bouncer = try await TestPgBouncer(for: cluster, serverConnections: 20)
        let server = try await ServeProcess(
            url: bouncer.url(of: database.url), masterKey: database.masterKey, connections: 8,
            extraEnvironment: ["TOUCHSTONE_DRAIN_DELAY": "0", "LOG_LEVEL": "error"])
        let sender = CommandSender(probe: server.probe, token: admin)

        let clients = [try await sender.salesHistory(number: 1), try await sender.salesHistory(number: 2)]

        // A retry with the same Idempotency-Key answers the first answer and appends nothing.
        let headers = sender.authorization.merging(
            ["Idempotency-Key": UUID().uuidString, "Content-Type": "application/json"]) { $1 }
        let body = #"{"name": "Through PgBouncer", "kind": "company"}"#
        let first = try await server.probe.send("POST", "/v1/clients", headers: headers, body: body)
        let again = try await server.probe.send("POST", "/v1/clients", headers: headers, body: body)
        #expect(first.status == 201 && again.status == 201, "\(first.body) \(again.body)")
        #expect(first.body == again.body)
        let registered: Int64 = try await database.pool.withConnection {
            try $0.query("SELECT count(*) FROM events WHERE type = 'ClientRegistered'").first?.decode(0) ?? -1
        }
        #expect(registered == 3)

        // A refused body is a problem and appends nothing.
        let eventsBefore: Int64 = try await database.pool.withConnection {
            try $0.query("SELECT count(*) FROM events").first?.decode(0) ?? -1
        }
        let refused = try await server.probe.send(
            "POST", "/v1/clients",
            headers: headers.merging(["Idempotency-Key": UUID().uuidString]) { $1 }, body: #"{"kind": "company"}"#)
        #expect(refused.status == 422, "\(refused.body)")
        #expect(refused.headers["content-type"] == "application/problem+json")
        let eventsAfter: Int64 = try await database.pool.withConnection {
            try $0.query("SELECT count(*) FROM events").first?.decode(0) ?? -1
        }
        #expect(eventsAfter == eventsBefore)

        // The runner keeps the read models live through PgBouncer; the reads answer.
        try await ReadReplicaTests.waitForReadModels(server.probe, token: admin)
        for path in [
            "/v1/receivables/aging?asOf=2026-03-31", "/v1/pipelines/sales/board", "/v1/retention",
            "/v1/funnel?from=2026-01-01&to=2026-12-31", "/v1/clients/\(clients[0])/history",
            "/v1/clients/\(clients[1])/history?knownAt=2030-01-01T00:00:00Z", "/v1/events?after=0&limit=100",
            "/v1/pipelines",
        ] {
            let answer = try await server.probe.send("GET", path, headers: sender.authorization)
            #expect(answer.status == 200, "\(path): \(answer.body)")
        }
        let feed = try await server.probe.send("GET", "/v1/events?after=0&limit=100", headers: sender.authorization)
        let events = try #require(
            (try JSONSerialization.jsonObject(with: Data(feed.body.utf8)) as? [String: Any])?["events"] as? [Any])
        #expect(Int64(events.count) == eventsAfter)

        // Every connection of the server is PgBouncer's: without it the server is not ready.
        bouncer.stop()
        try await waitUntil("/readyz fails without PgBouncer", within: .seconds(30)) {
            (try await server.probe.send("GET", "/readyz")).status == 503
        }
    }
}
