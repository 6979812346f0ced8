import Foundation
import JSON
import Projections
import Sales
import Testing

@Suite("Funnel")
struct FunnelTests {
    @Test func countsEntriesConversionsAndLosses() async throws {
        let log = try await SalesLog.make()
        let client = UUID.numbered(1)
        let (d1, d2, d3, d4) = (UUID.numbered(31), UUID.numbered(32), UUID.numbered(33), UUID.numbered(34))
        try await log.client(client, name: "Acme", registeredOn: "2026-01-01")
        try await log.deal(d1, client: client, openedOn: "2026-01-05", amount: 100)
        try await log.move(d1, client: client, from: "lead", to: "qualified", on: "2026-01-10")
        try await log.objection(UUID(), deal: d1, client: client, raisedOn: "2026-01-11")
        try await log.objection(UUID(), deal: d1, client: client, raisedOn: "2026-01-12")
        try await log.win(d1, client: client, stage: "qualified", on: "2026-01-20")
        try await log.deal(d2, client: client, openedOn: "2026-01-06", amount: 100)
        try await log.objection(UUID(), deal: d2, client: client, raisedOn: "2026-01-07")
        try await log.lose(d2, client: client, stage: "lead", on: "2026-01-10", refusedBy: "client", reason: "price")
        try await log.deal(d3, client: client, openedOn: "2026-01-07", amount: 100)
        try await log.move(d3, client: client, from: "lead", to: "qualified", on: "2026-01-09")
        try await log.move(d3, client: client, from: "qualified", to: "contact", on: "2026-01-15")
        try await log.lose(d3, client: client, stage: "contact", on: "2026-01-16", refusedBy: "us", reason: "no fit")
        try await log.deal(d4, client: client, openedOn: "2026-02-07", amount: 100)
        try await log.catchUp()

        let funnel = try await log.query {
            try Funnel.query(
                pipeline: "sales", from: LocalDate("2026-01-01")!, to: LocalDate("2026-01-31")!,
                window: .day("2026-03-01"), personalData: log.personalData, on: $0)
        }
        #expect(funnel.deals == 3)
        let lead = funnel.stages[0]
        #expect(lead.entered == 3 && lead.movedOn == 2 && lead.won == 0 && lead.lostByClient == 1)
        #expect(lead.conversionToNext.map { ($0 * 10_000).rounded() } == 6_667)
        // Stays: d1 5 days, d2 4 days (to its loss), d3 2 days.
        #expect(lead.medianDaysInStage == 4)
        let qualified = funnel.stages[1]
        #expect(qualified.entered == 2 && qualified.movedOn == 1 && qualified.won == 1)
        #expect(qualified.conversionToNext == 0.5 && qualified.conversionToWon == 0.5)
        let contact = funnel.stages[2]
        #expect(contact.entered == 1 && contact.lostByUs == 1 && contact.reasons.first?.reason == "no fit")
        #expect(funnel.stages[3].entered == 0 && funnel.stages[3].conversionToNext == nil)
        #expect(funnel.meanObjectionsWon == 2 && funnel.meanObjectionsLost == 0.5)
    }
}
