import Access
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import JSON
import PQ
import TestSupport
import Testing

/// Request connections carry a statement timeout; a statement cancelled by it answers 503.
@Suite("Statement timeout of requests")
struct StatementTimeoutTests {
    /// A report whose query waits longer than the timeout (here behind a lock on the read models'
    /// registry) answers 503 problem+json with `Retry-After`; once the lock is gone, the same
    /// connections answer again.
    @Test func aReportPastTheTimeoutAnswers503WithRetryAfter() async throws {
        let fixture = try await APIFixture.make()
        let accountant = fixture.tokens[.accountant]!
        let timed = ConnectionPool(
            conninfo: fixture.database.url, size: 2, settings: ["statement_timeout": "200ms"],
            logger: TestDatabase.logger)
        defer { timed.close() }
        let application = buildApplication(
            APIDependencies(pool: timed, personalData: fixture.database.personalData, logger: TestDatabase.logger))
        // One connection, so the lock's transaction stays open between the two calls.
        let holder = ConnectionPool(conninfo: fixture.database.url, size: 1, logger: TestDatabase.logger)
        defer { holder.close() }
        try await holder.withConnection { connection in
            try connection.execute("BEGIN")
            try connection.execute("LOCK TABLE readmodels.projection_state IN ACCESS EXCLUSIVE MODE")
        }
        let (waited, answered) = try await application.test(.router) { client in
            let waited = try await client.send(.get, "/v1/receivables/aging", token: accountant)
            try await holder.withConnection { connection in try connection.execute("COMMIT") }
            let answered = try await client.send(.get, "/v1/receivables/aging", token: accountant)
            return (waited, answered)
        }
        #expect(waited.status == 503 && waited.isProblem, "\(waited.text)")
        #expect(waited.problemType == "statement-timeout")
        #expect(waited.headers[.retryAfter] == "5")
        #expect(!waited.text.contains("canceling"), "no SQL error text: \(waited.text)")
        #expect(answered.status == 200, "\(answered.text)")
    }
}
