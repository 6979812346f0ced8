import Access
import Foundation
import Glibc
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import JSON
import PQ
import TestSupport
import Testing

/// Nothing waits for ever: a request waiting for a database connection, an idle connection, a
/// request that arrives too slowly.
@Suite("Time limits of the server")
struct ServerTimeoutTests {
    /// While every connection of the pool is busy past the lease timeout, a request answers 503
    /// problem+json `server-busy` with `Retry-After`; once one is free it is served again.
    @Test func aRequestWithoutAConnectionAnswers503WithRetryAfter() async throws {
        let fixture = try await APIFixture.make()
        let accountant = fixture.tokens[.accountant]!
        let pool = ConnectionPool(
            conninfo: fixture.database.url, size: 1, leaseTimeout: .milliseconds(200), logger: TestDatabase.logger)
        defer { pool.close() }
        let application = buildApplication(
            APIDependencies(pool: pool, personalData: fixture.database.personalData, logger: TestDatabase.logger))
        let holder = Task { try await pool.withConnection { _ in _ = usleep(1_500_000) } }
        while pool.usage.inUse == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let (busy, served) = try await application.test(.router) { client in
            let busy = try await client.send(.get, "/v1/receivables/aging", token: accountant)
            try await holder.value
            let served = try await client.send(.get, "/v1/receivables/aging", token: accountant)
            return (busy, served)
        }
        #expect(busy.status == 503 && busy.isProblem, "\(busy.text)")
        #expect(busy.problemType == "server-busy")
        #expect(busy.headers[.retryAfter] == "1")
        #expect(served.status == 200, "\(served.text)")
    }

    /// A real server closes a connection that sends nothing after its idle timeout, and one whose
    /// request body stops arriving after the request-read timeout (shorter here than the idle one).
    @Test func idleAndSlowConnectionsAreClosed() async throws {
        let database = try await TestDatabase.make()
        defer { database.pool.close() }
        let server = try await ServeProcess(
            url: database.url, masterKey: database.masterKey,
            extraEnvironment: [
                "TOUCHSTONE_IDLE_TIMEOUT": "3s", "TOUCHSTONE_REQUEST_READ_TIMEOUT": "1s", "TOUCHSTONE_DRAIN_DELAY": "0",
            ])
        let probe = server.probe
        let idle = try await probe.secondsUntilClosed(after: "", within: .seconds(15))
        #expect(idle.map { $0 >= 2.5 && $0 < 8 } == true, "idle connection closed after \(String(describing: idle)) s")
        let slow = try await probe.secondsUntilClosed(
            after:
                "POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
            within: .seconds(15))
        #expect(slow.map { $0 >= 0.8 && $0 < 2.5 } == true, "slow request closed after \(String(describing: slow)) s")
        let ready = try await probe.send("GET", "/healthz")
        #expect(ready.status == 200, "the server still answers")
        server.kill(SIGTERM)
        #expect(server.exitStatus(waiting: true) == 0)
    }
}
