import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import JSON
import PQ
import TestSupport
import Testing

@testable import Access

/// A keyed command that runs longer than the claim's lease keeps its claim.
@Suite("Idempotency claim renewal")
struct IdempotencyLeaseTests {
    /// With a 300 ms lease and a command held for 1.5 s (its append waits behind a lock), a retry
    /// with the same key is not let in as if the first had died: it waits and replays the first
    /// answer, and the log holds one registration.
    @Test func aLongCommandRenewsItsClaim() async throws {
        let base = try await APIFixture.make()
        let records = IdempotencyStore(
            pool: base.database.pool, retention: .seconds(86_400), pollInterval: .milliseconds(20),
            maximumWait: .seconds(30), lease: .milliseconds(300))
        let fixture = base.with(idempotency: records)
        let sales = fixture.tokens[.sales]!
        let holder = ConnectionPool(conninfo: fixture.database.url, size: 1, logger: TestDatabase.logger)
        defer { holder.close() }
        try await holder.withConnection { connection in
            try connection.execute("BEGIN")
            try connection.execute("LOCK TABLE streams IN EXCLUSIVE MODE")
        }
        let key = [("Idempotency-Key", "slow-1")]
        let register = #"{"name":"Slow Client","kind":"company"}"#
        let (first, retry) = try await fixture.run { client in
            async let first = client.send(.post, "/v1/clients", token: sales, json: register, headers: key)
            try await Task.sleep(for: .milliseconds(1_000))
            async let retry = client.send(.post, "/v1/clients", token: sales, json: register, headers: key)
            try await Task.sleep(for: .milliseconds(500))
            try await holder.withConnection { connection in try connection.execute("COMMIT") }
            return (try await first, try await retry)
        }
        #expect(first.status == 201, "\(first.text)")
        #expect(retry.status == 201, "\(retry.text)")
        #expect(retry.text == first.text)
        #expect(retry.headers[.init("Idempotent-Replayed")!] == "true")
        #expect(try await fixture.eventCount() == 1)
    }
}
