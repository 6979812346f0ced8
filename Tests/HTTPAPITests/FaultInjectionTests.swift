import Access
import Foundation
import Glibc
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

    /// What the writers were told: one entry per acknowledged write.
    struct Acknowledged: Sendable {
        var clients: [String] = []
        var touches: [String] = []
        /// Keys given up on at the end without an answer (their write may or may not be stored).
        var unanswered = 0
    }

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
            extraEnvironment: ["TOUCHSTONE_DRAIN_DELAY": "0", "TOUCHSTONE_POOL_LEASE_TIMEOUT": "2s", "LOG_LEVEL": "error"])
        let probe = server.probe
        let tally = Tally()
        let loadEnds = ContinuousClock.now + .seconds(Self.seconds)
        let headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        let writers = (0..<4).map { writer in
            Task { [probe, headers, loadEnds, tally] in
                var mine: [String] = []
                var round = 0
                while ContinuousClock.now < loadEnds {
                    round += 1
                    if mine.isEmpty || round % 3 == 0 {
                        let answer = await Self.keyed(
                            "/v1/clients", #"{"name": "Writer \#(writer) client \#(round)", "kind": "company"}"#,
                            probe: probe, headers: headers, until: loadEnds + .seconds(60))
                        guard let answer else { tally.state.withLock { $0.unanswered += 1 }; continue }
                        #expect(answer.status == 201, "\(answer.body)")
                        let id = Self.field("clientId", in: answer.body)
                        mine.append(id)
                        tally.state.withLock { $0.clients.append(id) }
                    } else {
                        let client = mine[round % mine.count]
                        let answer = await Self.keyed(
                            "/v1/clients/\(client)/touches",
                            #"{"channel": "call", "direction": "outbound", "occurredAt": "2026-02-0\#(1 + round % 9)T10:00:00Z"}"#,
                            probe: probe, headers: headers, until: loadEnds + .seconds(60))
                        guard let answer else { tally.state.withLock { $0.unanswered += 1 }; continue }
                        #expect(answer.status == 201, "\(answer.body)")
                        tally.state.withLock { $0.touches.append(Self.field("touchId", in: answer.body)) }
                    }
                }
            }
        }

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
        for writer in writers { await writer.value }

        let written = tally.state.withLock { $0 }
        let pool = ConnectionPool(conninfo: database.url, size: 2, logger: TestDatabase.logger)
        defer { pool.close() }
        #expect(written.clients.count + written.touches.count > 10, "the writers got through: \(written)")
        try await pool.withConnection { connection in
            let gaps: Int64 = try connection.query(
                """
                SELECT count(*) FROM (SELECT stream_id FROM events GROUP BY stream_id
                                      HAVING min(stream_version) <> 1 OR max(stream_version) <> count(*)) g
                """
            ).first?.decode(0) ?? -1
            #expect(gaps == 0, "a stream has a gap or a repeated version")
            for (type, field, ids) in [
                ("ClientRegistered", "clientId", written.clients), ("TouchRecorded", "touchId", written.touches),
            ] {
                let counts = try connection.query(
                    """
                    SELECT i, (SELECT count(*) FROM events WHERE type = \(type) AND data ->> \(field) = i)
                      FROM unnest(\(ids)::text[]) AS i
                    """
                ).rows
                for row in counts {
                    let id: String = try row.decode(0)
                    #expect(try row.decode(1, as: Int64.self) == 1, "\(type) \(id) is not stored exactly once")
                }
                let total: Int64 = try connection.query("SELECT count(*) FROM events WHERE type = \(type)").first?
                    .decode(0) ?? -1
                #expect(total >= Int64(ids.count))
                // A command whose COMMIT is cut by the database's crash has an unknown outcome: the
                // server answers 503 and frees the key, and the retry records the command again
                // with new server-made ids. Not solved yet (see the README, "Known gaps").
                withKnownIssue("a retry after a commit cut by a crash can store a keyed command twice", isIntermittent: true) {
                    #expect(
                        total <= Int64(ids.count + written.unanswered),
                        "\(type): \(total) stored for \(ids.count) acknowledged and \(written.unanswered) unanswered")
                }
            }
        }
        try await waitUntil("the read models catch up", within: .seconds(120)) {
            let answer = try? await probe.send(
                "GET", "/v1/projections", headers: ["Authorization": "Bearer \(admin)"], timeout: .seconds(10))
            return answer?.status == 200 && answer.map { Self.allCaughtUp($0.body) } == true
        }
        server.kill(SIGTERM)
        #expect(server.exitStatus(waiting: true) == 0)
        let outcomes = try await pool.withConnection { connection in
            try ProjectionRebuild(projections: Projection.all, personalData: database.personalData, logger: TestDatabase.logger)
                .run(on: connection)
        }
        for outcome in outcomes {
            guard case .swapped(_, _, true) = outcome else {
                Issue.record("a read model differs from its rebuild: \(outcome)")
                continue
            }
        }
    }

    /// The writers' acknowledged writes, shared between their tasks.
    final class Tally: Sendable {
        let state = Mutex(Acknowledged())
    }

    /// Sends one command under a new Idempotency-Key, again with the same key and body until it
    /// gets an answer that is not a failure of the service (no connection, 5xx), at most until
    /// `until`; nil when given up.
    static func keyed(
        _ path: String, _ body: String, probe: HTTPProbe, headers: [String: String], until giveUp: ContinuousClock.Instant
    ) async -> HTTPProbe.Answer? {
        let key = UUID().uuidString
        while ContinuousClock.now < giveUp {
            if let answer = try? await probe.send(
                "POST", path, headers: headers.merging(["Idempotency-Key": key]) { $1 }, body: body,
                timeout: .seconds(20)), answer.status < 500
            {
                return answer
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
