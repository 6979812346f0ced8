import Foundation
import JSON
import Projections
import Sales
import Testing

@Suite("Retention list")
struct RetentionListTests {
    @Test func listsClientsToActOnWithReasons() async throws {
        let log = try await SalesLog.make()
        let (c1, c2, c3, c4, c5) = (
            UUID.numbered(1), UUID.numbered(2), UUID.numbered(3), UUID.numbered(4), UUID.numbered(5)
        )
        for client in [c1, c2, c4, c5] {
            try await log.client(client, name: "N\(client.lower.suffix(1))", registeredOn: "2026-01-01")
        }
        try await log.client(c3, name: "New", registeredOn: "2026-06-15")
        for day in ["2026-01-10", "2026-02-10", "2026-03-10"] {
            try await log.order(client: c1, placedOn: day, amount: 1_000)
        }
        try await log.order(client: c1, placedOn: "2026-03-10", amount: 500, currency: "USD")
        try await log.order(client: c2, placedOn: "2026-04-01", amount: 1_000)
        try await log.touch(client: c2, at: "2026-06-20T08:00:00Z")
        try await log.touch(client: c4, at: "2026-05-31T23:00:00Z")
        try await log.order(client: c5, placedOn: "2026-06-01", amount: 50)
        try await log.order(client: c5, placedOn: "2026-06-20", amount: 50)
        try await log.touch(client: c5, at: "2026-06-30T08:00:00Z")
        try await log.catchUp()

        let list = try await log.query {
            try RetentionList.query(window: .day("2026-06-30"), personalData: log.personalData, on: $0)
        }
        #expect(list.clients.map(\.clientId) == [c1, c2, c4])
        let first = list.clients[0]
        #expect(first.reasons == ["rhythm-broken", "untouched"])
        #expect(first.medianIntervalDays == 29.5)
        #expect(first.daysSinceLastPurchase == 112 && first.lastPurchaseOn?.description == "2026-03-10")
        #expect(first.ltv == ["RUB": 3_000, "USD": 500])
        #expect(list.clients[1].reasons == ["single-purchase"])
        #expect(list.clients[1].lastTouchOn?.description == "2026-06-20")
        #expect(list.clients[2].reasons == ["untouched"] && list.clients[2].ltv.isEmpty)

        let strict = try RetentionList.Thresholds(rhythmFactor: nil, singlePurchaseDays: nil, untouchedDays: "31")
        let wider = try await log.query {
            try RetentionList.query(
                window: .day("2026-06-30"), thresholds: strict, personalData: log.personalData, on: $0)
        }
        #expect(wider.clients.map(\.clientId) == [c1, c2])
        #expect(throws: ProjectionError.self) {
            try RetentionList.Thresholds(rhythmFactor: "-1", singlePurchaseDays: nil, untouchedDays: nil)
        }
    }
}
