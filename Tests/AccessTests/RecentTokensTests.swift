import Access
import Foundation
import PQ
import TestSupport
import Testing

/// Tokens kept in memory briefly: answered without the database, and a revocation from any
/// process reaches every process within a second.
@Suite("Recently verified tokens")
struct RecentTokensTests {
    static func listening(_ tokens: RecentTokens) async throws -> Bool {
        for _ in 0..<100 {
            if tokens.status.listening { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// How long until `tokens` refuses `token`; nil when it still accepts it after 3 s.
    static func refusal(
        of token: String, by tokens: RecentTokens, since start: ContinuousClock.Instant
    ) async throws
        -> Duration?
    {
        while ContinuousClock.now - start < .seconds(3) {
            if try await tokens.identity(forBearer: token) == nil { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test func aKeptTokenIsAnsweredFromMemoryAndARevocationReachesEveryProcessWithinASecond() async throws {
        let database = try await TestDatabase.make()
        let store = TokenStore(pool: database.pool)
        let (token, record) = try await store.create(role: .sales, name: "Sam")
        let processes = (0..<2).map { _ in
            RecentTokens(
                store: TokenStore(pool: ConnectionPool(conninfo: database.url, size: 2, logger: TestDatabase.logger)),
                conninfo: database.url, lifetime: .seconds(60), logger: TestDatabase.logger)
        }
        defer { processes.forEach { $0.stop() } }
        for tokens in processes {
            #expect(try await Self.listening(tokens))
            #expect(try await tokens.identity(forBearer: token)?.tokenID == record.tokenID)
            #expect(tokens.status.kept == 1)
        }
        // With the announcement switched off, a revocation is not seen: the token is kept.
        try await database.pool.withConnection { connection in
            try connection.transaction { connection in
                try connection.execute("ALTER TABLE access_tokens DISABLE TRIGGER access_tokens_changed")
                try connection.execute("UPDATE access_tokens SET revoked_at = now() WHERE token_id = \(record.tokenID)")
                try connection.execute("ALTER TABLE access_tokens ENABLE TRIGGER access_tokens_changed")
            }
        }
        #expect(try await processes[0].identity(forBearer: token)?.tokenID == record.tokenID, "answered from memory")
        #expect(try await store.identity(forBearer: token) == nil)

        let (other, otherRecord) = try await store.create(role: .accountant, name: "Ann")
        for tokens in processes {
            #expect(try await tokens.identity(forBearer: other)?.tokenID == otherRecord.tokenID)
        }
        let start = ContinuousClock.now
        #expect(try await TokenStore(pool: database.pool).revoke(otherRecord.tokenID))
        for tokens in processes {
            let took = try await Self.refusal(of: other, by: tokens, since: start)
            #expect(took != nil && took! < .seconds(1), "refused after \(String(describing: took))")
        }
        #expect(try await processes[1].identity(forBearer: token) == nil, "every kept token was forgotten")
    }

    @Test func anUnknownTokenIsNeverKept() async throws {
        let database = try await TestDatabase.make()
        let tokens = RecentTokens(
            store: TokenStore(pool: database.pool), conninfo: database.url, logger: TestDatabase.logger)
        defer { tokens.stop() }
        #expect(try await Self.listening(tokens))
        #expect(try await tokens.identity(forBearer: "ts_" + String(repeating: "A", count: 43)) == nil)
        #expect(tokens.status.kept == 0)
    }

    @Test func withoutItsListenerNothingIsKept() async throws {
        let database = try await TestDatabase.make()
        let store = TokenStore(pool: database.pool)
        let (token, _) = try await store.create(role: .admin, name: "root")
        let tokens = RecentTokens(
            store: store, conninfo: "postgresql:///nowhere?host=/nonexistent", logger: TestDatabase.logger)
        defer { tokens.stop() }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!tokens.status.listening)
        #expect(try await tokens.identity(forBearer: token) != nil)
        #expect(tokens.status.kept == 0, "a token is kept only while revocations can be heard")
    }
}
