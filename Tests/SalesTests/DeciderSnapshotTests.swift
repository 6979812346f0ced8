import Foundation
import JSON
import Testing

@testable import Sales

/// A decider's state read back from its snapshot is the state it was written from, without any
/// personal value, and a snapshot of another shape is refused, never half read.
@Suite("Decider snapshots")
struct DeciderSnapshotTests {
    static func roundTrip<State: DeciderState & Equatable>(_ state: State) throws -> State {
        let text = state.snapshot.serialized()
        return try State(snapshot: try JSONValue(parsing: text))
    }

    @Test func clientStateReadsBackWithEveryTouchAndOrder() throws {
        var events = [Fixture.registered()]
        for number in 0..<500 {
            events.append(
                TouchRecorded(
                    touchId: Fixture.id(1_000 + number), clientId: Fixture.client, channel: .call, direction: .outbound,
                    occurredAt: Fixture.instant("2026-01-11T09:00:00Z"), summary: "called about paper"
                ).event)
        }
        events.append(
            OrderPlaced(
                orderId: Fixture.id(99), clientId: Fixture.client, placedOn: Fixture.day("2026-01-12"),
                amountMinor: 500,
                currency: Fixture.rub
            ).event)
        let state = Fixture.fold(events, from: Client.initialState, Client.evolve)
        #expect(try Self.roundTrip(state) == state)
        #expect(try Self.roundTrip(Client.initialState) == Client.initialState)
    }

    @Test func dealStateReadsBackWithoutItsTitle() throws {
        let objection = Fixture.id(20)
        let open = Fixture.id(21)
        let events: [SalesEvent] = [
            Fixture.opened(),
            Fixture.moved(from: "lead", to: "offer", on: "2026-02-03"),
            OfferMade(
                offerId: Fixture.id(30), dealId: Fixture.deal, clientId: Fixture.client, amountMinor: 90_000,
                currency: Fixture.rub, offeredOn: Fixture.day("2026-02-04"), terms: "net 30"
            ).event,
            ObjectionRaised(
                objectionId: objection, dealId: Fixture.deal, clientId: Fixture.client, category: .price,
                raisedOn: Fixture.day("2026-02-05"), text: "too dear"
            ).event,
            ObjectionHandled(
                objectionId: objection, dealId: Fixture.deal, clientId: Fixture.client,
                handledOn: Fixture.day("2026-02-06"), resolved: false
            ).event,
            ObjectionRaised(
                objectionId: open, dealId: Fixture.deal, clientId: Fixture.client, category: .notNow,
                raisedOn: Fixture.day("2026-02-07")
            ).event,
            DealLost(
                dealId: Fixture.deal, clientId: Fixture.client, stage: "offer", lostOn: Fixture.day("2026-02-08"),
                refusedBy: .us, reason: "no budget"
            ).event,
        ]
        let state = Fixture.fold(events, from: Deal.initialState, Deal.evolve)
        let text = String(decoding: state.snapshot.serialized(), as: UTF8.self)
        #expect(!text.contains("Поставка бумаги"))
        #expect(!text.contains("too dear"))
        let read = try Self.roundTrip(state)
        #expect(read.opening?.title == "")
        #expect(read.opening?.dealId == Fixture.deal)
        #expect(read.stage == state.stage && read.stageEnteredOn == state.stageEnteredOn)
        #expect(read.lastMovedOn == state.lastMovedOn && read.outcome == state.outcome)
        #expect(read.objections == state.objections && read.offerIds == state.offerIds)
        let won = Fixture.fold(
            [
                Fixture.opened(),
                DealWon(dealId: Fixture.deal, clientId: Fixture.client, stage: "lead", wonOn: Fixture.day("2026-02-02"))
                    .event,
            ],
            from: Deal.initialState, Deal.evolve)
        #expect(try Self.roundTrip(won).outcome == .won(on: Fixture.day("2026-02-02")))
    }

    @Test func receivablesStateReadsBackBalancesBeyondSixtyFourBits() throws {
        let first = Fixture.id(40)
        let second = Fixture.id(41)
        var events: [SalesEvent] = [
            Fixture.invoice(first, number: "A-1", amountMinor: Int64.max),
            Fixture.invoice(second, number: "A-2", amountMinor: 700),
            CreditNoteIssued(
                creditNoteId: Fixture.id(50), invoiceId: second, clientId: Fixture.client,
                issuedOn: Fixture.day("2026-03-02"), amountMinor: 100, currency: Fixture.rub, reason: "damaged"
            ).event,
            InvoiceWrittenOff(
                invoiceId: second, clientId: Fixture.client, writtenOffOn: Fixture.day("2026-03-03"), amountMinor: 600,
                currency: Fixture.rub, reason: "bankrupt"
            ).event,
        ]
        for number in 0..<3 {
            events.append(
                Fixture.payment(
                    Fixture.id(60 + number), amountMinor: Int64.max,
                    allocations: [Allocation(invoiceId: first, amountMinor: Int64.max / 4)],
                    unappliedMinor: Int64.max - Int64.max / 4))
        }
        let state = Fixture.fold(events, from: Receivables.initialState, Receivables.evolve)
        #expect(state.unappliedMinor[Fixture.rub]! > Int128(Int64.max))
        #expect(try Self.roundTrip(state) == state)
    }

    @Test func pipelineStateReadsBack() throws {
        let defined = Fixture.fold(
            [
                PipelineDefined(pipeline: "b2b", stages: ["first", "second"], definedOn: Fixture.day("2026-01-01"))
                    .event
            ],
            from: PipelineCatalogue.initialState(for: "b2b"), PipelineCatalogue.evolve)
        #expect(try Self.roundTrip(defined) == defined)
        #expect(
            try Self.roundTrip(PipelineCatalogue.initialState(for: "never"))
                == PipelineCatalogue.initialState(for: "never"))
        #expect(
            try Self.roundTrip(PipelineCatalogue.initialState(for: "sales"))
                == PipelineCatalogue.initialState(for: "sales"))
    }

    @Test(arguments: [
        #"[]"#, #"{}"#, #"{"clientId":"nope","orderIds":""}"#,
        #"{"clientId":null,"registeredOn":"2026-13-01","orderIds":""}"#,
        #"{"clientId":null,"registeredOn":null,"orderIds":"AAEC"}"#,
        #"{"clientId":null,"registeredOn":null,"orderIds":42}"#,
    ])
    func malformedClientSnapshotIsRefused(_ text: String) {
        #expect(throws: SnapshotDecodingError.self) { try ClientState(snapshot: Fixture.json(text)) }
    }

    @Test(arguments: [
        #"{"invoices":[{"issued":{}}],"paymentIds":"","creditNoteIds":"","unappliedMinor":{}}"#,
        #"{"invoices":[],"paymentIds":"","creditNoteIds":"","unappliedMinor":{"R1B":"1"}}"#,
        #"{"invoices":[],"paymentIds":"","creditNoteIds":"","unappliedMinor":{"RUB":"one"}}"#,
    ])
    func malformedReceivablesSnapshotIsRefused(_ text: String) {
        #expect(throws: SnapshotDecodingError.self) { try ReceivablesState(snapshot: Fixture.json(text)) }
    }
}
