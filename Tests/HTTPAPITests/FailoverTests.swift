import Access
import Foundation
import JSON
import PQ
import Projections
import Synchronization
import TestSupport
import Testing

/// A failover under load, run by `make failover-test` (`TOUCHSTONE_FAILOVER_SECONDS`, skipped
/// without it): a real `touchstone serve` whose `DATABASE_URL` names both nodes of a
/// pg_auto_failover formation (``TestFailoverFormation``) with `target_session_attrs=read-write`;
/// four writers send commands over HTTP, each with an `Idempotency-Key` and retried with it until
/// answered, a reader tails the feed, and a third of the way in the monitor fails the primary over
/// to its synchronous standby. Every 503 carries `Retry-After`; every acknowledged write is in the
/// log exactly once; the feed the reader saw has no gap or repeat; the runner's checkpoints did
/// not go back and the read models catch up and equal a rebuild; the time writes stopped is printed.
@Suite("Failover")
struct FailoverTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["TOUCHSTONE_FAILOVER_SECONDS"] ?? "") ?? 0

    /// The positions the feed reader saw, and whether the writers are done.
    final class FeedTail: Sendable {
        let state = Mutex((positions: [Int64](), writersDone: false))
    }

    @Test(
        .enabled(if: seconds > 0, "set TOUCHSTONE_FAILOVER_SECONDS to run (make failover-test)"),
        .enabled(if: TestFailoverFormation.unavailableReason == nil, "pg_auto_failover is not installed"),
        .timeLimit(.minutes(30)))
    func writesSurviveAFailover() async throws {
        let formation = try await TestFailoverFormation()
        let url = try formation.makeDatabase()
        let masterKey = MasterKey.random()
        let (token, admin): (String, String) = try await {
            let pool = ConnectionPool(conninfo: url, size: 2, logger: TestDatabase.logger)
            defer { pool.close() }
            let tokens = TokenStore(pool: pool)
            return (
                try await tokens.create(role: .sales, name: "failover").token,
                try await tokens.create(role: .admin, name: "failover-admin").token
            )
        }()
        let server = try await ServeProcess(
            url: url, masterKey: masterKey, connections: 8,
            extraEnvironment: [
                "TOUCHSTONE_DRAIN_DELAY": "0", "TOUCHSTONE_POOL_LEASE_TIMEOUT": "2s", "LOG_LEVEL": "error",
            ])
        let probe = server.probe
        let loadEnds = ContinuousClock.now + .seconds(Self.seconds)
        let load = WriterLoad(probe: probe, token: token, until: loadEnds)
        let tail = FeedTail()
        let authorization = ["Authorization": "Bearer \(admin)"]
        let reader = Task { [probe, tail] in
            var after: Int64 = 0
            while ContinuousClock.now < loadEnds + .seconds(90) {
                // Once the writers are done, a page read after that which comes back empty ends it.
                let writersDone = tail.state.withLock { $0.writersDone }
                guard
                    let answer = try? await probe.send(
                        "GET", "/v1/events?after=\(after)&limit=500", headers: authorization),
                    answer.status == 200, let page = Self.positions(answer.body)
                else {
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                tail.state.withLock { $0.positions.append(contentsOf: page) }
                after = page.last ?? after
                if page.isEmpty {
                    if writersDone { return }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }

        try await Task.sleep(for: .seconds(Self.seconds) / 3)
        let before = try await Self.checkpoints(probe, token: admin)
        let primaryBefore = try formation.primaryPort()
        let failoverStarted = ContinuousClock.now
        let took = try formation.failOver()
        #expect(try formation.primaryPort() != primaryBefore, "the primary moved")
        // A command under a new key each time, from when the monitor reports the new primary: how
        // soon a write that is not a retry goes through. An attempt that failed may still have
        // been stored, so it counts as unanswered for the exactly-once check.
        var freshAttempts = 0
        var freshAcknowledged: ContinuousClock.Instant?
        while freshAcknowledged == nil, ContinuousClock.now < failoverStarted + .seconds(120) {
            freshAttempts += 1
            let answer = try? await probe.send(
                "POST", "/v1/clients",
                headers: [
                    "Authorization": "Bearer \(token)", "Content-Type": "application/json",
                    "Idempotency-Key": UUID().uuidString,
                ],
                body: #"{"name": "After the failover", "kind": "company"}"#, timeout: .seconds(20))
            if let answer, answer.status == 201 {
                freshAcknowledged = ContinuousClock.now
                load.state.withLock { $0.clients.append(FaultInjectionTests.field("clientId", in: answer.body)) }
            } else {
                load.state.withLock { $0.unanswered += 1 }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(freshAcknowledged != nil, "a write under a new key went through after the failover")
        let seen = await load.finish()
        tail.state.withLock { $0.writersDone = true }
        await reader.value
        let feed = tail.state.withLock { $0.positions }
        let acknowledged = seen.acknowledgedAt.sorted()
        let firstAfter = acknowledged.first { $0 > failoverStarted }
        let lastBefore = acknowledged.last { $0 <= failoverStarted }
        let gaps = zip(acknowledged, acknowledged.dropFirst()).map { (gap: $1 - $0, from: $0 - failoverStarted) }
        let longest = gaps.max { $0.gap < $1.gap }
        print(
            "failover: pg_autoctl perform failover took \(Self.seconds(took)) s; the first write acknowledged after it "
                + "began came \(firstAfter.map { Self.seconds($0 - failoverStarted) } ?? "never") s later "
                + "(last before: \(lastBefore.map { Self.seconds(failoverStarted - $0) } ?? "none") s before); the "
                + "longest gap between acknowledged writes was \(longest.map { Self.seconds($0.gap) } ?? "none") s, "
                + "from \(longest.map { Self.seconds($0.from) } ?? "none") s after the failover began; "
                + "\(acknowledged.count) writes acknowledged, \(seen.serviceUnavailable) answers 503, "
                + "\(seen.unanswered) given up or unknown; a command under a new key, sent from when the monitor "
                + "reported the new primary, went through \(freshAcknowledged.map { Self.seconds($0 - failoverStarted) } ?? "never") s "
                + "after the failover began (attempt \(freshAttempts))")
        if let longest, longest.gap > .seconds(10) {
            print(
                "the server's last log lines:\n"
                    + server.output.split(separator: "\n").suffix(20).joined(separator: "\n"))
        }
        #expect(firstAfter != nil, "writes resumed after the failover")
        #expect(seen.withoutRetryAfter.isEmpty, "503 without Retry-After: \(seen.withoutRetryAfter.prefix(3))")

        let pool = ConnectionPool(conninfo: url, size: 2, logger: TestDatabase.logger)
        defer { pool.close() }
        try await pool.withConnection { connection in
            try AcknowledgedWrites.expectStoredOnce(
                clients: seen.clients, touches: seen.touches, unanswered: seen.unanswered, cause: "the failover",
                on: connection)
            let stored = try connection.query("SELECT position FROM events ORDER BY position").rows.map {
                try $0.decode(0, as: Int64.self)
            }
            let repeats = feed.count - Set(feed).count
            let missing = Set(stored).subtracting(feed).sorted()
            #expect(repeats == 0, "the feed repeated \(repeats) events")
            #expect(missing.isEmpty, "the feed skipped \(missing.count) events: \(missing.prefix(10))")
            #expect(zip(feed, feed.dropFirst()).allSatisfy { $0 < $1 }, "the feed went back")
            #expect(Set(feed).isSubset(of: stored), "the feed showed events not stored")
        }

        try await waitUntil("the read models catch up on the new primary", within: .seconds(120)) {
            let answer = try? await probe.send("GET", "/v1/projections", headers: authorization, timeout: .seconds(10))
            return answer?.status == 200 && answer.map { FaultInjectionTests.allCaughtUp($0.body) } == true
        }
        let after = try await Self.checkpoints(probe, token: admin)
        for (name, position) in before {
            #expect((after[name] ?? 0) >= position, "\(name) went back from \(position) to \(after[name] ?? 0)")
        }
        server.kill(SIGTERM)
        #expect(server.exitStatus(waiting: true) == 0)
        try await AcknowledgedWrites.expectReadModelsEqualRebuild(
            on: pool, personalData: PersonalDataKeys(masterKeys: MasterKeyring(current: masterKey)))
    }

    /// The positions of a feed page.
    static func positions(_ body: String) -> [Int64]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let events = object["events"] as? [[String: Any]]
        else { return nil }
        return events.compactMap { ($0["position"] as? NSNumber)?.int64Value }
    }

    /// Each read model's position, by `GET /v1/projections`.
    static func checkpoints(_ probe: HTTPProbe, token: String) async throws -> [String: Int64] {
        let answer = try await probe.send("GET", "/v1/projections", headers: ["Authorization": "Bearer \(token)"])
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let entries = object["projections"] as? [[String: Any]]
        else { return [:] }
        var positions: [String: Int64] = [:]
        for entry in entries {
            if let name = entry["name"] as? String, let position = (entry["position"] as? NSNumber)?.int64Value {
                positions[name] = position
            }
        }
        return positions
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration / .milliseconds(1)) / 1_000)
    }
}
