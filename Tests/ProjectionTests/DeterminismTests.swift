import Foundation
import PQ
import Projections
import TestSupport
import Testing

/// A seeded generator, so a failing history can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BB1_3311_EB4B
        return z ^ (z >> 31)
    }
}

@Suite("Determinism")
struct DeterminismTests {
    @Test func liveBatchesEqualARebuildFromScratch() async throws {
        let log = try await SalesLog.make()
        var random = SplitMix64(state: 20_261_123)
        try await log.appendRandomHistory(events: 3_000, using: &random)
        try await log.catchUp(batchSize: 13)
        // All read models rebuilt together: one fill per batch, shared tables computed once, the
        // batches, indexes and swaps shared out between two connections.
        let url = log.database.url
        let outcomes = try await log.query {
            try ProjectionRebuild(projections: Projection.all, batchSize: 1_000, logger: TestDatabase.logger)
                .run(on: $0, helpers: [try Connection(conninfo: url)])
        }
        #expect(outcomes.count == Projection.all.count)
        for (projection, outcome) in zip(Projection.all, outcomes) {
            guard case .swapped(_, _, let matched) = outcome else {
                Issue.record("\(projection.name): \(outcome)")
                continue
            }
            #expect(matched, "\(projection.name)")
        }
    }
}

/// Dates counted from 2026-01-01.
enum LocalDateText {
    static func day(_ offset: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 2026, month: 1, day: 1))!
        let date = calendar.date(byAdding: .day, value: offset, to: start)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
