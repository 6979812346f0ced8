import Foundation
import JSON
import Projections
import Sales
import Testing

@Suite("Pipeline board")
struct PipelineBoardTests {
    @Test func showsOpenDealsInTheirCurrentStage() async throws {
        let log = try await SalesLog.make()
        let client = UUID.numbered(1)
        let (d1, d2, d3, d4) = (UUID.numbered(21), UUID.numbered(22), UUID.numbered(23), UUID.numbered(24))
        try await log.client(client, name: "Acme", registeredOn: "2026-01-01")
        try await log.deal(d1, client: client, openedOn: "2026-01-10", amount: 1_000)
        try await log.move(d1, client: client, from: "lead", to: "qualified", on: "2026-01-15")
        try await log.move(d1, client: client, from: "qualified", to: "contact", on: "2026-01-20")
        try await log.move(d1, client: client, from: "contact", to: "lead", on: "2026-01-20")
        try await log.append(
            "OfferMade", stream: "deal-\(d1.lower)", client: client,
            [
                "offerId": UUID().lower, "dealId": d1.lower, "clientId": client.lower, "amountMinor": 5_000,
                "currency": "RUB", "offeredOn": "2026-01-25",
            ])
        let (o1, o2) = (UUID(), UUID())
        try await log.objection(o1, deal: d1, client: client, raisedOn: "2026-01-26")
        try await log.objection(o2, deal: d1, client: client, raisedOn: "2026-01-26")
        try await log.append(
            "ObjectionHandled", stream: "deal-\(d1.lower)", client: client,
            [
                "objectionId": o2.lower, "dealId": d1.lower, "clientId": client.lower, "handledOn": "2026-01-27",
                "resolved": false,
            ])
        try await log.touch(client: client, deal: d1, at: "2026-01-28T23:59:59.9999999Z")
        try await log.touch(client: client, deal: d1, at: "2026-02-03T10:00:00Z")
        try await log.deal(d2, client: client, openedOn: "2026-01-30", amount: 100, currency: "USD")
        try await log.deal(d3, client: client, openedOn: "2026-01-11", amount: 300)
        try await log.win(d3, client: client, stage: "lead", on: "2026-01-31")
        try await log.deal(d4, client: client, openedOn: "2026-02-05", amount: 400)
        try await log.catchUp()

        let board = try await log.query {
            try PipelineBoard.query(
                pipeline: "sales", window: .day("2026-02-01"), personalData: log.personalData, on: $0)
        }
        #expect(board.stages.map(\.stage) == Pipeline.sales.stages)
        let lead = board.stages[0]
        #expect(lead.deals.map(\.dealId) == [d1, d2])
        #expect(lead.deals[0].daysInStage == 12)
        #expect(lead.deals[0].amountMinor == 5_000 && lead.deals[0].currency == "RUB")
        #expect(lead.deals[0].openObjections == 1)
        #expect(lead.deals[0].lastTouchOn?.description == "2026-01-28")
        #expect(lead.deals[1].daysInStage == 2 && lead.deals[1].lastTouchOn == nil)
        #expect(lead.totals == ["RUB": 5_000, "USD": 100])
        #expect(board.stages.dropFirst().allSatisfy { $0.deals.isEmpty && $0.totals.isEmpty })

        let earlier = try await log.query {
            try PipelineBoard.query(
                pipeline: "sales", window: .day("2026-01-18"), personalData: log.personalData, on: $0)
        }
        #expect(earlier.stages[1].deals.map(\.dealId) == [d1])
        #expect(earlier.stages[1].deals[0].daysInStage == 3 && earlier.stages[1].deals[0].amountMinor == 1_000)
        #expect(earlier.stages[0].deals.map(\.dealId) == [d3])

        await #expect(throws: ProjectionError.unknownPipeline("nope")) {
            _ = try await log.query {
                try PipelineBoard.query(
                    pipeline: "nope", window: .day("2026-02-01"), personalData: log.personalData, on: $0)
            }
        }
    }
}
