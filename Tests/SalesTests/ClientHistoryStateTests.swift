import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Client history state")
struct ClientHistoryStateTests {
    let a = Fixture.id(51), b = Fixture.id(52), c = Fixture.id(53)

    func order(_ id: Int, on date: String, _ amountMinor: Int64, _ currency: Currency = Fixture.rub) -> SalesEvent {
        OrderPlaced(
            orderId: Fixture.id(id), clientId: Fixture.client, placedOn: Fixture.day(date), amountMinor: amountMinor,
            currency: currency
        ).event
    }

    func touch(_ id: Int, at instant: String) -> SalesEvent {
        TouchRecorded(
            touchId: Fixture.id(id), clientId: Fixture.client, channel: .call, direction: .outbound,
            occurredAt: Fixture.instant(instant)
        ).event
    }

    /// A client's life in log order.
    var log: [SalesEvent] {
        [
            Fixture.registered(on: "2026-01-10"),
            touch(3, at: "2026-01-20T10:00:00Z"),
            Fixture.opened(Fixture.deal, on: "2026-02-01", amountMinor: 100_000),
            Fixture.opened(Fixture.otherDeal, on: "2026-02-02", amountMinor: 50_000),
            Fixture.moved(Fixture.deal, from: "lead", to: "offer", on: "2026-02-05"),
            OfferMade(
                offerId: Fixture.id(20), dealId: Fixture.deal, clientId: Fixture.client, amountMinor: 90_000,
                currency: Fixture.rub, offeredOn: Fixture.day("2026-02-06")
            ).event,
            DealWon(
                dealId: Fixture.otherDeal, clientId: Fixture.client, stage: "lead", wonOn: Fixture.day("2026-02-10")
            ).event,
            order(4, on: "2026-02-10", 50_000),
            order(5, on: "2026-02-10", 20_000),
            order(6, on: "2026-03-15", 3000, Fixture.usd),
            touch(7, at: "2026-03-20T23:30:00-02:00"),
            touch(8, at: "2026-03-01T09:00:00Z"),
            Fixture.invoice(a, number: "INV-1", issued: "2026-02-10", due: "2026-03-10", amountMinor: 70_000),
            Fixture.invoice(
                b, number: "INV-2", issued: "2026-03-15", due: "2026-04-15", amountMinor: 3000, currency: Fixture.usd),
            Fixture.payment(
                Fixture.id(60), received: "2026-03-01", amountMinor: 30_000,
                allocations: [Allocation(invoiceId: a, amountMinor: 30_000)]),
            CreditNoteIssued(
                creditNoteId: Fixture.id(70), invoiceId: a, clientId: Fixture.client,
                issuedOn: Fixture.day("2026-03-05"), amountMinor: 5000, currency: Fixture.rub, reason: "брак"
            ).event,
            Fixture.payment(
                Fixture.id(61), received: "2026-03-20", amountMinor: 40_000,
                allocations: [Allocation(invoiceId: a, amountMinor: 35_000)], unappliedMinor: 5000),
            Fixture.moved(Fixture.deal, from: "offer", to: "bargaining", on: "2026-03-25"),
        ]
    }

    @Test("the whole replay")
    func whole() {
        let state = ClientHistoryState.replay(log)
        #expect(state.clientId == Fixture.client)
        #expect(state.name == "ООО Ромашка")
        #expect(state.kind == .company)
        #expect(state.openDeals.count == 1)
        let deal = state.openDeals[Fixture.deal]
        #expect(deal?.stage == "bargaining")
        #expect(deal?.stageEnteredOn == Fixture.day("2026-03-25"))
        #expect(deal?.amountMinor == 90_000)
        #expect(state.wonDeals == 1 && state.lostDeals == 0)
        #expect(state.balanceOwed == [Fixture.rub: 0, Fixture.usd: 3000])
        #expect(state.unappliedCredit == [Fixture.rub: 5000])
        #expect(state.lastTouchAt == Fixture.instant("2026-03-21T01:30:00Z"))
        #expect(state.lastTouchOn == Fixture.day("2026-03-21"))
        #expect(state.orderCount == 3)
        #expect(state.purchaseDates == [Fixture.day("2026-02-10"), Fixture.day("2026-03-15")])
        #expect(state.firstPurchaseOn == Fixture.day("2026-02-10") && state.lastPurchaseOn == Fixture.day("2026-03-15"))
        #expect(state.lifetimeValue == [Fixture.rub: 70_000, Fixture.usd: 3000])
    }

    @Test("as of a past date: stages, balances, purchases and touches by the end of that day")
    func asOf() {
        let state = ClientHistoryState.replay(log, through: Fixture.day("2026-03-10"))
        #expect(state.openDeals[Fixture.deal]?.stage == "offer")
        #expect(state.openDeals[Fixture.deal]?.stageEnteredOn == Fixture.day("2026-02-05"))
        #expect(state.balanceOwed == [Fixture.rub: 35_000])
        #expect(state.unappliedCredit.isEmpty)
        #expect(state.lastTouchOn == Fixture.day("2026-03-01"))
        #expect(state.orderCount == 2)
        #expect(state.lifetimeValue == [Fixture.rub: 70_000])

        let early = ClientHistoryState.replay(log, through: Fixture.day("2026-02-01"))
        #expect(early.openDeals.keys.sorted { $0.uuidString < $1.uuidString } == [Fixture.deal])
        #expect(early.openDeals[Fixture.deal]?.amountMinor == 100_000)
        #expect(early.wonDeals == 0)

        let beforeRegistration = ClientHistoryState.replay(log, through: Fixture.day("2026-01-09"))
        #expect(beforeRegistration == ClientHistoryState.initial)
    }

    @Test("a write-off makes the invoice's balance zero, a lost deal leaves the open list")
    func writeOffAndLoss() {
        let state = ClientHistoryState.replay(
            log + [
                InvoiceWrittenOff(
                    invoiceId: b, clientId: Fixture.client, writtenOffOn: Fixture.day("2026-04-01"), amountMinor: 3000,
                    currency: Fixture.usd, reason: "r"
                ).event,
                DealLost(
                    dealId: Fixture.deal, clientId: Fixture.client, stage: "bargaining",
                    lostOn: Fixture.day("2026-04-02"), refusedBy: .client, reason: "дорого"
                ).event,
            ])
        #expect(state.balanceOwed[Fixture.usd] == 0)
        #expect(state.openDeals.isEmpty)
        #expect(state.lostDeals == 1)
    }

    @Test("the latest offer by date sets a deal's amount, whatever the recording order")
    func latestOffer() {
        func offer(_ id: Int, _ amountMinor: Int64, on date: String) -> SalesEvent {
            OfferMade(
                offerId: Fixture.id(id), dealId: Fixture.deal, clientId: Fixture.client, amountMinor: amountMinor,
                currency: Fixture.rub, offeredOn: Fixture.day(date)
            ).event
        }
        let state = ClientHistoryState.replay([
            Fixture.registered(), Fixture.opened(), offer(20, 80_000, on: "2026-02-10"),
            offer(21, 95_000, on: "2026-02-05"),
        ])
        #expect(state.openDeals[Fixture.deal]?.amountMinor == 80_000)
        #expect(state.openDeals[Fixture.deal]?.latestOfferOn == Fixture.day("2026-02-10"))
    }

    @Test("sums beyond 64 bits do not overflow")
    func wideSums() {
        let state = ClientHistoryState.replay([
            Fixture.registered(), order(4, on: "2026-02-10", .max), order(5, on: "2026-02-11", .max),
        ])
        #expect(state.lifetimeValue[Fixture.rub] == Int128(Int64.max) * 2)
        #expect(state.summary.ltv == [CurrencyTotal(currency: Fixture.rub, amountMinor: Int128(Int64.max) * 2)])
    }

    @Test("an erased name reads as null")
    func erasedName() throws {
        let erased = try SalesEvent.decode(
            type: "ClientRegistered", schemaVersion: 1,
            data: Data(
                #"{"clientId":"00000000-0000-4000-8000-000000000001","name":null,"kind":"person","registeredOn":"2026-01-10"}"#
                    .utf8)
        )
        let state = ClientHistoryState.replay([erased])
        #expect(state.name == nil)
        #expect(state.summary.json.objectValue?["name"] == .null)
    }

    @Test("the summary's JSON shape")
    func summaryJSON() throws {
        let summary = ClientHistoryState.replay(log).summary
        let text = String(decoding: summary.json.serialized(), as: UTF8.self)
        #expect(
            text == """
                {"balanceOwed":[{"amountMinor":3000,"currency":"USD"}],"clientId":"00000000-0000-4000-8000-000000000001",\
                "kind":"company","lastTouchAt":"2026-03-21T01:30:00Z","lastTouchOn":"2026-03-21","lostDeals":0,\
                "ltv":[{"amountMinor":70000,"currency":"RUB"},{"amountMinor":3000,"currency":"USD"}],"name":"ООО Ромашка",\
                "openDeals":[{"amountMinor":90000,"currency":"RUB","dealId":"00000000-0000-4000-8000-000000000010",\
                "latestOfferOn":"2026-02-06","openedOn":"2026-02-01","pipeline":"sales","stage":"bargaining",\
                "stageEnteredOn":"2026-03-25","title":"Поставка бумаги"}],\
                "purchases":{"firstPurchaseOn":"2026-02-10","lastPurchaseOn":"2026-03-15","orderCount":3,"purchaseDays":2},\
                "registeredOn":"2026-01-10","unappliedCredit":[{"amountMinor":5000,"currency":"RUB"}],"wonDeals":1}
                """)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try JSONValue(parsing: encoder.encode(summary)) == summary.json)
    }

    @Test("an empty state has nulls and empty lists")
    func emptySummary() {
        let text = String(decoding: ClientHistoryState.initial.summary.json.serialized(), as: UTF8.self)
        #expect(
            text == """
                {"balanceOwed":[],"clientId":null,"kind":null,"lastTouchAt":null,"lastTouchOn":null,"lostDeals":0,"ltv":[],\
                "name":null,"openDeals":[],"purchases":{"firstPurchaseOn":null,"lastPurchaseOn":null,"orderCount":0,\
                "purchaseDays":0},"registeredOn":null,"unappliedCredit":[],"wonDeals":0}
                """)
    }

    @Test("open deals are listed by opening date, then id")
    func openDealOrder() {
        let state = ClientHistoryState.replay([
            Fixture.registered(),
            Fixture.opened(c, on: "2026-02-03"), Fixture.opened(b, on: "2026-02-01"),
            Fixture.opened(a, on: "2026-02-03"),
        ])
        #expect(state.summary.openDeals.map(\.dealId) == [b, a, c])
    }
}
