import Access
import Foundation
import Glibc
import JSON
import PQ
import Projections
import Synchronization
import TestSupport
import Testing

/// Faults under load, run as its own phase of `make test` (`TOUCHSTONE_FAULT_SECONDS`, skipped
/// without it): writers over HTTP with Idempotency-Keys against a real `touchstone serve` on a
/// PostgreSQL cluster of its own; a third of the way in the server is killed with SIGKILL and
/// started again at once; two thirds in PostgreSQL is stopped at once (as by a crash) and started
/// again. While PostgreSQL is down the API answers 503 problem+json and `/readyz` fails; both
/// recover by themselves. At the end every acknowledged write is in the log exactly once, no
/// stream has a gap, the read models catch up and equal a rebuild from scratch.
@Suite("Fault injection")
struct FaultInjectionTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["TOUCHSTONE_FAULT_SECONDS"] ?? "") ?? 0

    @Test(.enabled(if: seconds > 0, "set TOUCHSTONE_FAULT_SECONDS to run"), .timeLimit(.minutes(30)))
    func killsAndRestartsUnderLoad() async throws {
        let cluster = TestCluster.dedicated()
        let database = try await TestDatabase.make(on: cluster)
        let token = try await TokenStore(pool: database.pool).create(role: .sales, name: "faults").token
        let admin = try await TokenStore(pool: database.pool).create(role: .admin, name: "faults-admin").token
        // Its connections would not survive the restart of PostgreSQL; the checks use a new pool.
        database.pool.close()
        let server = try await ServeProcess(
            url: database.url, masterKey: database.masterKey, connections: 8,
            extraEnvironment: [
                "TOUCHSTONE_DRAIN_DELAY": "0", "TOUCHSTONE_POOL_LEASE_TIMEOUT": "2s", "LOG_LEVEL": "error",
            ])
        let probe = server.probe
        let loadEnds = ContinuousClock.now + .seconds(Self.seconds)
        let load = WriterLoad(probe: probe, token: token, until: loadEnds)

        let third = Duration.seconds(Self.seconds) / 3
        try await Task.sleep(for: third)
        server.kill(SIGKILL)
        #expect(server.exitStatus(waiting: true, within: .seconds(10)) == 128 + SIGKILL)
        try await server.start()

        try await Task.sleep(for: third)
        try await cluster.restart {
            let ready = try? await probe.send("GET", "/readyz", timeout: .seconds(10))
            #expect(ready?.status == 503, "readyz while PostgreSQL is down: \(String(describing: ready))")
            let feed = try? await probe.send(
                "GET", "/v1/events?after=0", headers: ["Authorization": "Bearer \(token)"], timeout: .seconds(10))
            #expect(feed?.status == 503, "the API while PostgreSQL is down: \(String(describing: feed))")
            #expect(feed?.headers["content-type"] == "application/problem+json")
        }
        try await waitUntil("readyz recovers by itself", within: .seconds(60)) {
            (try? await probe.send("GET", "/readyz", timeout: .seconds(5)))?.status == 200
        }
        let written = await load.finish()
        let pool = ConnectionPool(conninfo: database.url, size: 2, logger: TestDatabase.logger)
        defer { pool.close() }
        #expect(written.clients.count + written.touches.count > 10, "the writers got through: \(written)")
        try await pool.withConnection { connection in
            try AcknowledgedWrites.expectStoredOnce(
                clients: written.clients, touches: written.touches, unanswered: written.unanswered,
                cause: "a crash", on: connection)
        }
        try await waitUntil("the read models catch up", within: .seconds(120)) {
            let answer = try? await probe.send(
                "GET", "/v1/projections", headers: ["Authorization": "Bearer \(admin)"], timeout: .seconds(10))
            return answer?.status == 200 && answer.map { Self.allCaughtUp($0.body) } == true
        }
        server.kill(SIGTERM)
        #expect(server.exitStatus(waiting: true) == 0)
        try await AcknowledgedWrites.expectReadModelsEqualRebuild(on: pool, personalData: database.personalData)
    }

    /// Sends one command under a new Idempotency-Key, again with the same key and body until it
    /// gets an answer that is not a failure of the service (no connection, 5xx), at most until
    /// `until`; nil when given up. Each 5xx answer is shown to `failed` first.
    static func keyed(
        _ path: String, _ body: String, probe: HTTPProbe, headers: [String: String],
        until giveUp: ContinuousClock.Instant, failed: (HTTPProbe.Answer) -> Void = { _ in }
    ) async -> HTTPProbe.Answer? {
        let key = UUID().uuidString
        while ContinuousClock.now < giveUp {
            if let answer = try? await probe.send(
                "POST", path, headers: headers.merging(["Idempotency-Key": key]) { $1 }, body: body,
                timeout: .seconds(20))
            {
                if answer.status < 500 { return answer }
                failed(answer)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// The string field `name` of a JSON answer.
    static func field(_ name: String, in body: String) -> String {
        guard let data = body.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let value = object[name] as? String
        else { return "" }
        return value
    }

    /// Whether every read model of a `GET /v1/projections` answer has `lagEvents` 0.
    static func allCaughtUp(_ body: String) -> Bool {
        guard let data = body.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let entries = object["projections"] as? [[String: Any]], !entries.isEmpty
        else { return false }
        return entries.allSatisfy { ($0["lagEvents"] as? Int) == 0 }
    }
}
