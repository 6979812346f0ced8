import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Client decider")
struct ClientDeciderTests {
    let registration = RegisterClient(
        clientId: Fixture.client, name: "ООО Ромашка", kind: .company, email: "info@romashka.ru", temperature: .warm,
        registeredOn: Fixture.day("2026-01-10")
    )

    func state(_ events: [SalesEvent]) -> ClientState {
        Fixture.fold(events, from: Client.initialState, Client.evolve)
    }

    func deal(_ events: [SalesEvent]) -> DealState {
        Fixture.fold(events, from: Deal.initialState, Deal.evolve)
    }

    func touch(_ touchId: UUID = Fixture.id(3), dealId: UUID? = nil, client: UUID = Fixture.client) -> RecordTouch {
        RecordTouch(
            touchId: touchId, clientId: client, dealId: dealId, channel: .call, direction: .outbound,
            occurredAt: Fixture.instant("2026-02-02T10:00:00Z"), summary: "звонок"
        )
    }

    func order(_ orderId: UUID = Fixture.id(4), dealId: UUID? = nil, amountMinor: Int64 = 50_000) -> PlaceOrder {
        PlaceOrder(
            orderId: orderId, clientId: Fixture.client, dealId: dealId, placedOn: Fixture.day("2026-03-01"),
            amountMinor: amountMinor, currency: Fixture.rub)
    }

    @Test("registering a new client records it with every field")
    func register() throws {
        #expect(
            try Client.decide(registration, state: Client.initialState) == [
                ClientRegistered(
                    clientId: Fixture.client, name: "ООО Ромашка", kind: .company, email: "info@romashka.ru",
                    temperature: .warm,
                    registeredOn: Fixture.day("2026-01-10")
                ).event
            ])
    }

    @Test("a client is registered only once")
    func registerTwice() {
        let refusal = violation { try Client.decide(registration, state: state([Fixture.registered()])) }
        #expect(refusal?.code == .clientAlreadyRegistered)
        #expect(refusal?.kind == .conflict)
    }

    @Test("a touch of a registered client, with or without its deal")
    func recordTouch() throws {
        let registered = state([Fixture.registered()])
        let events = try Client.decide(touch(), state: registered)
        #expect(
            events == [
                TouchRecorded(
                    touchId: Fixture.id(3), clientId: Fixture.client, channel: .call, direction: .outbound,
                    occurredAt: Fixture.instant("2026-02-02T10:00:00Z"), summary: "звонок"
                ).event
            ])
        let withDeal = try Client.decide(touch(dealId: Fixture.deal), state: registered, deal: deal([Fixture.opened()]))
        guard case .touchRecorded(let recorded) = withDeal.first else { Issue.record("no touch"); return }
        #expect(recorded.dealId == Fixture.deal)
    }

    @Test("a touch needs a registered client")
    func touchUnknownClient() {
        let refusal = violation { try Client.decide(touch(), state: Client.initialState) }
        #expect(refusal?.code == .clientNotFound)
        #expect(refusal?.kind == .missing)
        let otherState = state([Fixture.registered(Fixture.otherClient)])
        #expect(violation { try Client.decide(touch(), state: otherState) }?.code == .clientNotFound)
    }

    @Test("a touch's deal must exist and belong to the client")
    func touchDeal() {
        let registered = state([Fixture.registered()])
        let missing = violation { try Client.decide(touch(dealId: Fixture.deal), state: registered) }
        #expect(missing?.code == .dealNotFound)
        #expect(missing?.field == "dealId")
        let wrongStream = violation {
            try Client.decide(
                touch(dealId: Fixture.deal), state: registered, deal: deal([Fixture.opened(Fixture.otherDeal)]))
        }
        #expect(wrongStream?.code == .dealNotFound)
        let foreign = violation {
            try Client.decide(
                touch(dealId: Fixture.deal), state: registered,
                deal: deal([Fixture.opened(client: Fixture.otherClient)]))
        }
        #expect(foreign?.code == .dealOfOtherClient)
        #expect(foreign?.kind == .invalid)
    }

    @Test("the state holds nothing per touch: a long client's state stays small")
    func touchesLeaveTheStateFlat() throws {
        let registered = state([Fixture.registered()])
        let first = try Client.decide(touch(), state: registered)
        let touched = state([Fixture.registered()] + first + first)
        #expect(touched == registered)
        #expect(touched.footprint == registered.footprint)
    }

    @Test("an order of a registered client, with its deal")
    func placeOrder() throws {
        let events = try Client.decide(
            order(dealId: Fixture.deal), state: state([Fixture.registered()]), deal: deal([Fixture.opened()]))
        #expect(
            events == [
                OrderPlaced(
                    orderId: Fixture.id(4), clientId: Fixture.client, dealId: Fixture.deal,
                    placedOn: Fixture.day("2026-03-01"), amountMinor: 50_000, currency: Fixture.rub
                ).event
            ])
    }

    @Test("order refusals")
    func orderRefusals() throws {
        #expect(violation { try Client.decide(order(), state: Client.initialState) }?.code == .clientNotFound)
        let registered = state([Fixture.registered()])
        #expect(violation { try Client.decide(order(dealId: Fixture.deal), state: registered) }?.code == .dealNotFound)
        #expect(
            violation {
                try Client.decide(
                    order(dealId: Fixture.deal), state: registered,
                    deal: deal([Fixture.opened(client: Fixture.otherClient)]))
            }?.code == .dealOfOtherClient)
        let zero = violation { try Client.decide(order(amountMinor: 0), state: registered) }
        #expect(zero?.code == .amountNotPositive)
        #expect(zero?.field == "amountMinor")
        let placed = try Client.decide(order(), state: registered)
        #expect(
            violation { try Client.decide(order(), state: state([Fixture.registered()] + placed)) }?.code
                == .duplicateOrder)
    }

    @Test("the state remembers registration and orders, and ignores other events")
    func evolve() {
        let folded = state([
            Fixture.registered(),
            TouchRecorded(
                touchId: Fixture.id(3), clientId: Fixture.client, channel: .visit, direction: .inbound,
                occurredAt: Fixture.instant("2026-02-02T10:00:00Z")
            ).event,
            Fixture.opened(), order().asEvent,
        ])
        #expect(folded.clientId == Fixture.client)
        #expect(folded.registeredOn == Fixture.day("2026-01-10"))
        #expect(folded.orderIds == [Fixture.id(4)])
    }
}

extension PlaceOrder {
    /// The event this order would record.
    var asEvent: SalesEvent {
        OrderPlaced(
            orderId: orderId, clientId: clientId, dealId: dealId, placedOn: placedOn, amountMinor: amountMinor,
            currency: currency
        ).event
    }
}
