import Foundation
import PQ
import TestSupport
import Testing

/// The pool's waits are bounded: by a lease timeout, by the length of its queue, by cancellation.
@Suite("Connection pool bounds")
struct PoolBoundsTests {
    let database: TestDatabase

    init() async throws {
        database = try await TestDatabase.make(migrated: false)
    }

    /// Holds the one connection of `pool` for `seconds` (its thread sleeps) in a task.
    private func occupy(_ pool: ConnectionPool, seconds: Double) -> Task<Void, any Error> {
        Task { try await pool.withConnection { _ in _ = usleep(UInt32(seconds * 1_000_000)) } }
    }

    private func waitForUsage(_ pool: ConnectionPool, inUse: Int, waiting: Int) async throws {
        for _ in 0..<200 {
            let usage = pool.usage
            if usage.inUse == inUse && usage.waiting == waiting { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("pool never reached \(inUse) in use and \(waiting) waiting: \(pool.usage)")
    }

    /// A caller that gets no connection within the lease timeout fails with `poolExhausted`,
    /// leaves the queue, and is counted; the holder's work is not disturbed.
    @Test func aLeaseGivesUpAfterItsTimeout() async throws {
        let pool = ConnectionPool(
            conninfo: database.url, size: 1, leaseTimeout: .milliseconds(200), logger: TestDatabase.logger)
        defer { pool.close() }
        let holder = occupy(pool, seconds: 1.5)
        try await waitForUsage(pool, inUse: 1, waiting: 0)
        let start = ContinuousClock.now
        await #expect(throws: PQError.self) {
            try await pool.withConnection { _ in }
        }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(200) && waited < .seconds(1.2), "\(waited)")
        #expect(pool.usage.waiting == 0)
        #expect(pool.usage.exhausted == 1)
        #expect(pool.usage.waits == 1)
        try await holder.value
        let answer: Int = try await pool.withConnection { try $0.query("SELECT 1").first?.decode(0) ?? 0 }
        #expect(answer == 1, "the pool serves again once the connection is back")
    }

    /// With the queue full, the next caller is refused at once with `poolExhausted`; the waiter
    /// already queued still gets the connection when it comes back.
    @Test func aFullQueueRefusesAtOnce() async throws {
        let pool = ConnectionPool(conninfo: database.url, size: 1, maximumWaiting: 1, logger: TestDatabase.logger)
        defer { pool.close() }
        let holder = occupy(pool, seconds: 1)
        try await waitForUsage(pool, inUse: 1, waiting: 0)
        let queued = Task { try await pool.withConnection { try $0.query("SELECT 2").first?.decode(0, as: Int.self) } }
        try await waitForUsage(pool, inUse: 1, waiting: 1)
        let start = ContinuousClock.now
        do {
            try await pool.withConnection { _ in }
            Issue.record("a caller beyond the queue's bound was served")
        } catch let error as PQError {
            #expect(error.kind == .poolExhausted)
        }
        #expect(ContinuousClock.now - start < .milliseconds(500), "refused without waiting")
        try await holder.value
        #expect(try await queued.value == 2)
    }

    /// A waiting caller whose task is cancelled leaves the queue with `CancellationError`.
    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let pool = ConnectionPool(conninfo: database.url, size: 1, logger: TestDatabase.logger)
        defer { pool.close() }
        let holder = occupy(pool, seconds: 1)
        try await waitForUsage(pool, inUse: 1, waiting: 0)
        let waiter = Task { try await pool.withConnection { _ in } }
        try await waitForUsage(pool, inUse: 1, waiting: 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(pool.usage.waiting == 0)
        try await holder.value
    }
}
