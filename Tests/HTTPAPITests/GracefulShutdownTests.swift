import Access
import Foundation
import Glibc
import PQ
import Synchronization
import TestSupport
import Testing

/// SIGTERM to a real `touchstone serve` drains it step by step.
@Suite("Graceful shutdown of touchstone serve")
struct GracefulShutdownTests {
    /// With a command held in flight (its append waits behind a lock on `streams`): after SIGTERM
    /// `/readyz` answers 503 at once while connections are still taken; after the drain delay new
    /// connections are refused; the command in flight still finishes (201, its event stored);
    /// the process then exits 0 with every session closed and no advisory lock (the runner's)
    /// left, and logs the steps in order.
    @Test func sigtermDrainsInOrder() async throws {
        let database = try await TestDatabase.make()
        let token = try await TokenStore(pool: database.pool).create(role: .sales, name: "drain").token
        // Only the server's sessions and the holder's below remain on the database.
        database.pool.close()
        let server = try await ServeProcess(
            url: database.url, masterKey: database.masterKey, extraEnvironment: ["TOUCHSTONE_DRAIN_DELAY": "3s"])
        let probe = server.probe

        let holder = ConnectionPool(conninfo: database.url, size: 1, logger: TestDatabase.logger)
        defer { holder.close() }
        try await holder.withConnection { connection in
            try connection.execute("BEGIN")
            try connection.execute("LOCK TABLE streams IN EXCLUSIVE MODE")
        }
        let inFlight = Task {
            try await probe.send(
                "POST", "/v1/clients",
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                body: #"{"name": "Held Over", "kind": "company"}"#)
        }
        // The command is in flight once its append waits for the lock.
        try await waitUntil("the command waits for the lock") {
            try await holder.withConnection { connection in
                let waiting: Int64 =
                    try connection.query(
                        """
                        SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                         WHERE NOT l.granted AND d.datname = current_database()
                        """
                    ).first?.decode(0) ?? 0
                return waiting > 0
            }
        }

        let signalled = ContinuousClock.now
        server.kill(SIGTERM)
        try await waitUntil("readyz answers 503", within: .seconds(2)) {
            (try? await probe.send("GET", "/readyz", timeout: .seconds(1)))?.status == 503
        }
        let healthy = try await probe.send("GET", "/healthz", timeout: .seconds(5))
        #expect(healthy.status == 200, "connections are still taken during the drain delay")
        #expect(ContinuousClock.now - signalled < .seconds(3))

        let lastSeen = Mutex("nothing yet")
        try await waitUntil("new connections are refused", within: .seconds(10)) {
            do {
                let answer = try await probe.send("GET", "/healthz", timeout: .seconds(1))
                lastSeen.withLock { $0 = "answered \(answer.status)" }
                return false
            } catch HTTPProbe.Failure.refused {
                return true
            } catch HTTPProbe.Failure.socket(ECONNRESET) {
                // Queued on the listener as it closed: the kernel resets it, never served.
                return true
            } catch {
                lastSeen.withLock { $0 = "\(error)" }
                Issue.record("connecting during shutdown: \(error)")
                return false
            }
        }
        #expect(ContinuousClock.now - signalled >= .seconds(3), "not refused before the drain delay")
        #expect(server.exitStatus(waiting: false) == nil, "the process waits for the request in flight")
        try await Task.sleep(for: .milliseconds(500))
        #expect(
            !server.output.contains("shut down: closing the database pool"),
            "the server stopped before the request in flight finished: \(server.output)")

        try await holder.withConnection { connection in try connection.execute("COMMIT") }
        let answer: HTTPProbe.Answer
        do {
            answer = try await inFlight.value
        } catch {
            Issue.record("the request in flight got no answer: \(error); \(server.output)")
            throw error
        }
        #expect(answer.status == 201, "\(answer.body)")
        #expect(server.exitStatus(waiting: true, within: .seconds(30)) == 0, "\(server.output)")

        let events: Int64 = try await holder.withConnection { connection in
            try connection.query("SELECT count(*) FROM events WHERE type = 'ClientRegistered'").first?.decode(0) ?? -1
        }
        #expect(events == 1, "the command in flight was stored")
        // A backend ends a moment after its client's socket closes.
        try await waitUntil("every session of the process is gone, with its advisory locks", within: .seconds(10)) {
            try await holder.withConnection { connection in
                let left: Int64 =
                    try connection.query(
                        """
                        SELECT (SELECT count(*) FROM pg_stat_activity
                                 WHERE datname = current_database() AND pid <> pg_backend_pid())
                             + (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                                 WHERE l.locktype = 'advisory' AND d.datname = current_database())
                        """
                    ).first?.decode(0) ?? -1
                return left == 0
            }
        }

        let log = server.output
        let steps = [
            "shutting down: /readyz answers 503", "shutting down: no new connections",
            "shut down: closing the database pool",
        ].map { log.range(of: $0)?.lowerBound }
        #expect(steps.allSatisfy { $0 != nil }, "\(log)")
        let found = steps.compactMap { $0 }
        #expect(found == found.sorted(), "steps logged in order: \(log)")
    }
}

/// Polls `condition` every 50 ms until it holds; fails the test with `what` after `within`.
func waitUntil(
    _ what: String, within: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
}
