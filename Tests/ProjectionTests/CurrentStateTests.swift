import Foundation
import JSON
import PQ
import Sales
import Testing

@testable import Projections

/// The current-state tables answer a report only when that gives exactly what the dated facts
/// give; the same report as known at a far instant always comes from the dated facts.
@Suite("Current state")
struct CurrentStateTests {
    /// An instant after everything a test records: the window then reads the dated facts.
    static let farFuture = "2999-01-01T00:00:00Z"

    @Test func answersEqualTheDatedFactsAfterEveryFactAndFallBackBeforeSome() async throws {
        let log = try await SalesLog.make()
        var random = SplitMix64(state: 20_261_124)
        try await log.appendRandomHistory(events: 2_000, using: &random)
        try await log.catchUp(batchSize: 7)
        // Day 430: after every fact; day 200: many facts are dated later (and back-dated behind them).
        for (offset, fromState) in [(430, true), (200, false), (364, true)] {
            let day = LocalDateText.day(offset)
            let current = ReportWindow.day(day)
            let dated = ReportWindow.day(day, knownAt: Self.farFuture)
            let answers = try await log.query { connection in
                try [Projection.aging, .retention, .board].map { projection in
                    try ProjectionRegistry.live(projection, on: connection).answersFromCurrentState(
                        current,
                        tables: projection.tables.filter { !$0.isFacts }, on: connection)
                }
            }
            #expect(answers == [fromState, fromState, fromState], "\(day)")

            for limit in [nil, 7] {
                try await expectSamePages(limit: limit) { limit, cursor, connection in
                    let (fast, slow) = (
                        try ReceivablesAging.query(
                            window: current, limit: limit, cursor: cursor, personalData: log.personalData,
                            on: connection),
                        try ReceivablesAging.query(
                            window: dated, limit: limit, cursor: cursor, personalData: log.personalData, on: connection)
                    )
                    #expect(fast.rows == slow.rows, "aging \(day)")
                    #expect(fast.totals == slow.totals, "aging totals \(day)")
                    return (fast.next, slow.next, fast.rows.count)
                }
                try await expectSamePages(limit: limit) { limit, cursor, connection in
                    let (fast, slow) = (
                        try RetentionList.query(
                            window: current, limit: limit, cursor: cursor, personalData: log.personalData,
                            on: connection),
                        try RetentionList.query(
                            window: dated, limit: limit, cursor: cursor, personalData: log.personalData, on: connection)
                    )
                    #expect(fast.clients == slow.clients, "retention \(day)")
                    return (fast.next, slow.next, fast.clients.count)
                }
                // Filtered by reason before paging, page by page the same both ways.
                try await expectSamePages(limit: limit) { limit, cursor, connection in
                    let reasons: Set<RetentionList.Reason> = [.rhythmBroken, .singlePurchase]
                    let (fast, slow) = (
                        try RetentionList.query(
                            window: current, reasons: reasons, limit: limit, cursor: cursor,
                            personalData: log.personalData, on: connection),
                        try RetentionList.query(
                            window: dated, reasons: reasons, limit: limit, cursor: cursor,
                            personalData: log.personalData, on: connection)
                    )
                    #expect(fast.clients == slow.clients, "retention by reason \(day)")
                    #expect(
                        fast.clients.allSatisfy {
                            !Set($0.reasons).isDisjoint(with: ["rhythm-broken", "single-purchase"])
                        })
                    return (fast.next, slow.next, fast.clients.count)
                }
            }
            let (fast, slow) = try await log.query { connection in
                (
                    try PipelineBoard.query(
                        pipeline: "sales", window: current, personalData: log.personalData, on: connection),
                    try PipelineBoard.query(
                        pipeline: "sales", window: dated, personalData: log.personalData, on: connection)
                )
            }
            #expect(fast.stages == slow.stages, "board \(day)")
            #expect(fast.stages.contains { !$0.deals.isEmpty })
        }

        /// Walks every page of one report both ways, checking that they agree page by page.
        func expectSamePages(
            limit: Int?,
            _ page: @escaping @Sendable (Int?, String?, Connection) throws -> (String?, String?, Int)
        ) async throws {
            var cursor: String?
            var pages = 0
            repeat {
                let (next, other, count) = try await log.query { [cursor] in try page(limit, cursor, $0) }
                #expect(next == other)
                #expect(count > 0)
                cursor = next
                pages += 1
            } while cursor != nil && pages < 1_000
        }
    }
}
