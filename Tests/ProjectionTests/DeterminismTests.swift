import Foundation
import JSON
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
    @Test func aRebuildOverSeveralPartitionsOfTheLogEqualsTheLiveBatches() async throws {
        let log = try await SalesLog.make()
        // Positions start just below the first partition's end, so the history spans two partitions
        // and the rebuild's first pass goes over the pages of each.
        try await log.query { connection in _ = try connection.query("SELECT setval('event_position', 9999000)") }
        var random = SplitMix64(state: 20_261_205)
        try await log.appendRandomHistory(events: 2_000, using: &random)
        let partitions: [String] = try await log.query { connection in
            try connection.query("SELECT DISTINCT tableoid::regclass::text FROM events ORDER BY 1").rows.map {
                try $0.decode(0)
            }
        }
        #expect(partitions == ["events_from_0", "events_from_10000000"])
        // Live batches step over the gap below 9,999,000 to the first stored event.
        try await log.catchUp(batchSize: 97)
        try await log.rebuildAllExpectingMatches(batchSize: 300)
    }

    @Test func liveBatchesEqualARebuildFromScratch() async throws {
        let log = try await SalesLog.make()
        var random = SplitMix64(state: 20_261_123)
        try await log.appendRandomHistory(events: 3_000, using: &random)
        try await log.catchUp(batchSize: 13)
        // All read models rebuilt together: one fill per batch, shared tables computed once, the
        // batches, indexes and swaps shared out between two connections.
        try await log.rebuildAllExpectingMatches(batchSize: 1_000)
    }

    /// Every column of the tables of current state on a history that reaches its edges: a
    /// re-registration dated earlier, back-dated facts, orders in two currencies, stage moves and
    /// offers on the same day (decided by position), a payment allocated to two invoices with
    /// unapplied credit in two currencies, a credit note, a write-off, an objection handled and one
    /// handled twice (its category and each outcome's `resolved` kept as facts). Live batches of one
    /// event each fold them as the rebuild does from its fact tables.
    @Test func liveBatchesOfOneEventEqualARebuildOnTheEdgesOfCurrentState() async throws {
        let log = try await SalesLog.make()
        let day = LocalDateText.day
        let (client, deal) = (UUID.numbered(1), UUID.numbered(2))
        let (first, second, objection, reopened) = (
            UUID.numbered(3), UUID.numbered(4), UUID.numbered(5), UUID.numbered(6)
        )
        try await log.client(client, name: "Acme", registeredOn: day(10))
        try await log.order(client: client, placedOn: day(20), amount: 500)
        try await log.order(client: client, placedOn: day(5), amount: 700, currency: "EUR")
        try await log.order(client: client, placedOn: day(20), amount: 300)
        try await log.client(client, name: "Acme again", registeredOn: day(3))
        try await log.invoice(first, client: client, issuedOn: day(30), dueOn: day(60), amount: 1_000)
        try await log.invoice(second, client: client, issuedOn: day(31), dueOn: day(45), amount: 2_000)
        try await log.payment(
            client: client, receivedOn: day(35), amount: 1_500, allocations: [(first, 600), (second, 800)],
            unapplied: 100)
        try await log.payment(client: client, receivedOn: day(32), amount: 100, allocations: [(first, 100)])
        try await log.payment(
            client: client, receivedOn: day(33), amount: 30, currency: "EUR", allocations: [], unapplied: 30)
        try await log.creditNote(invoice: first, client: client, issuedOn: day(36), amount: 50)
        try await log.writeOff(invoice: second, client: client, on: day(50), amount: 1_200)
        try await log.deal(deal, client: client, openedOn: day(60), amount: 900)
        try await log.move(deal, client: client, from: "lead", to: "qualified", on: day(70))
        try await log.move(deal, client: client, from: "qualified", to: "contact", on: day(70))
        try await log.move(deal, client: client, from: "contact", to: "needs", on: day(65))
        try await log.offer(deal: deal, client: client, on: day(72), amount: 900)
        try await log.offer(deal: deal, client: client, on: day(72), amount: 800, currency: "EUR")
        try await log.offer(deal: deal, client: client, on: day(71), amount: 700)
        try await log.objection(objection, deal: deal, client: client, raisedOn: day(73))
        try await log.handle(objection, deal: deal, client: client, on: day(74))
        try await log.objection(reopened, deal: deal, client: client, raisedOn: day(73), category: "no-budget")
        try await log.handle(reopened, deal: deal, client: client, on: day(76), resolved: false)
        try await log.handle(reopened, deal: deal, client: client, on: day(75))
        try await log.touch(client: client, deal: deal, at: day(75) + "T23:59:59.999999Z")
        try await log.touch(client: client, at: day(40) + "T00:00:00Z")
        try await log.win(deal, client: client, stage: "needs", on: day(80))
        try await log.catchUp(batchSize: 1)

        let outcomes = try await log.query {
            try ProjectionRebuild(
                projections: Projection.all, personalData: log.database.personalData, logger: TestDatabase.logger
            ).run(on: $0)
        }
        #expect(outcomes.allSatisfy { if case .swapped(_, _, true) = $0 { true } else { false } }, "\(outcomes)")
        let rows = try await log.query { connection in
            let (aging, retention, board) = (
                try ProjectionRegistry.live(.aging, on: connection),
                try ProjectionRegistry.live(.retention, on: connection),
                try ProjectionRegistry.live(.board, on: connection)
            )
            return try [
                "SELECT string_agg(b::text, ' ' ORDER BY invoice_id) FROM \(fragment: aging.table(.invoiceBalances)) b",
                "SELECT string_agg(u::text, ' ' ORDER BY currency) FROM \(fragment: aging.table(.unappliedCredits)) u",
                "SELECT string_agg(a::text, ' ') FROM \(fragment: retention.table(.clientActivity)) a",
                "SELECT string_agg(p::text, ' ') FROM \(fragment: board.table(.dealProgress)) p",
                """
                SELECT string_agg(concat_ws(',', objection_id, category, raised_on), ' ' ORDER BY position)
                  FROM \(fragment: board.table(.objections))
                """,
                """
                SELECT string_agg(concat_ws(',', objection_id, handled_on, resolved::text), ' ' ORDER BY position)
                  FROM \(fragment: board.table(.objectionOutcomes))
                """,
            ].map { (statement: SQL) in try connection.query(statement).first?.decode(0, as: String.self) ?? "" }
        }
        let (id, dealID) = (client.lower, deal.lower)
        #expect(
            rows == [
                "(\(first.lower),\(id),RUB,\(day(30)),\(day(60)),1000,750,f,\(day(36)),INV-00000000,250) "
                    + "(\(second.lower),\(id),RUB,\(day(31)),\(day(45)),2000,800,t,\(day(50)),INV-00000000,0)",
                "(\(id),EUR,30,\(day(33))) (\(id),RUB,100,\(day(35)))",
                #"(\#(id),\#(day(3)),5,"{\#(day(5)),\#(day(20))}","{""EUR"": 700, ""RUB"": 800}",-800,\#(day(75)),\#(day(75)))"#,
                "(\(dealID),\(id),sales,\"Deal 0000\",900,RUB,\(day(60)),contact,\(day(70)),15,800,EUR,\(day(72)),18,2,3,t,"
                    + "\(day(75)),\(day(80)),,,)",
                "\(objection.lower),price,\(day(73)) \(reopened.lower),no-budget,\(day(73))",
                "\(objection.lower),\(day(74)),true \(reopened.lower),\(day(76)),false \(reopened.lower),\(day(75)),true",
            ])
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
