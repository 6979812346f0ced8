import Foundation
import JSON
import PQ
import TestSupport
import Testing

@testable import Projections

@Suite("Rebuilds and the statement timeout")
struct RebuildTimeoutTests {
    /// A rebuild on a request connection, whose statements are cancelled after 200 ms, still
    /// completes although its reads of the log wait behind a lock for longer than that; the
    /// connection has its timeout back afterwards.
    @Test func aRebuildOutlastsTheConnectionsStatementTimeout() async throws {
        let log = try await SalesLog.make()
        try await RebuildTests().seed(log)
        try await log.catchUp()
        let timed = ConnectionPool(
            conninfo: log.database.url, size: 1, settings: ["statement_timeout": "200ms"], logger: TestDatabase.logger)
        defer { timed.close() }
        let cancelled = await #expect(throws: PQError.self) {
            try await timed.withConnection { connection in try connection.execute("SELECT pg_sleep(1)") }
        }
        #expect(cancelled?.sqlState == "57014")

        // One connection, so the lock's transaction stays open between the two calls.
        let holder = ConnectionPool(conninfo: log.database.url, size: 1, logger: TestDatabase.logger)
        defer { holder.close() }
        try await holder.withConnection { connection in
            try connection.execute("BEGIN")
            try connection.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        }
        let rebuild = Task {
            try await timed.withConnection { connection in
                try ProjectionRebuild(
                    projection: .aging, personalData: log.database.personalData, logger: TestDatabase.logger
                ).run(on: connection)
            }
        }
        // Until the rebuild waits for the lock, longer than the timeout.
        var waited = false
        for _ in 0..<100 where !waited {
            try await Task.sleep(for: .milliseconds(50))
            waited = try await log.query { connection in
                try connection.query(
                    """
                    SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                     WHERE (c.relname = 'events' OR c.relname LIKE 'events\\_from\\_%') AND NOT l.granted
                    """
                ).first?.decode(0) ?? false
            }
        }
        #expect(waited, "the rebuild never waited for the lock on the log")
        try await Task.sleep(for: .milliseconds(600))
        try await holder.withConnection { connection in try connection.execute("COMMIT") }

        let outcomes = try await rebuild.value
        guard case .swapped(_, _, let matched)? = outcomes.first else {
            Issue.record("the rebuild did not swap: \(outcomes)")
            return
        }
        #expect(matched)
        let timeout: String? = try await timed.withConnection { connection in
            try connection.query("SELECT current_setting('statement_timeout')").first?.decode(0)
        }
        #expect(timeout == "200ms")
    }
}
