import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Deal decider")
struct DealDeciderTests {
    let sales = PipelineCatalogue.initialState(for: "sales")
    let registered = Fixture.fold([Fixture.registered()], from: Client.initialState, Client.evolve)

    func state(_ events: [SalesEvent]) -> DealState {
        Fixture.fold(events, from: Deal.initialState, Deal.evolve)
    }

    /// A deal opened on 2026-02-01 in `sales`, then `events`.
    func deal(_ events: [SalesEvent] = []) -> DealState {
        state([Fixture.opened()] + events)
    }

    let won = DealWon(dealId: Fixture.deal, clientId: Fixture.client, stage: "lead", wonOn: Fixture.day("2026-02-10"))
        .event
    let lost = DealLost(
        dealId: Fixture.deal, clientId: Fixture.client, stage: "lead", lostOn: Fixture.day("2026-02-10"),
        refusedBy: .client, reason: "дорого"
    ).event

    func open(pipeline: String = "sales", amountMinor: Int64 = 100_000) -> OpenDeal {
        OpenDeal(
            dealId: Fixture.deal, clientId: Fixture.client, title: "Поставка бумаги", amountMinor: amountMinor,
            currency: Fixture.rub,
            openedOn: Fixture.day("2026-02-01"), pipeline: pipeline
        )
    }

    func move(_ stage: String, on date: String) -> MoveDealStage {
        MoveDealStage(dealId: Fixture.deal, stage: stage, movedOn: Fixture.day(date))
    }

    func offer(
        _ offerId: UUID = Fixture.id(20), currency: Currency = Fixture.rub, on date: String = "2026-02-05",
        validUntil: String? = nil
    ) -> MakeOffer {
        MakeOffer(
            offerId: offerId, dealId: Fixture.deal, amountMinor: 90_000, currency: currency,
            offeredOn: Fixture.day(date), validUntil: validUntil.map(Fixture.day))
    }

    func objection(_ objectionId: UUID = Fixture.id(30), on date: String = "2026-02-06") -> RaiseObjection {
        RaiseObjection(
            objectionId: objectionId, dealId: Fixture.deal, category: .price, raisedOn: Fixture.day(date),
            text: "Дорого")
    }

    func raised(_ objectionId: UUID = Fixture.id(30), on date: String = "2026-02-06") -> SalesEvent {
        ObjectionRaised(
            objectionId: objectionId, dealId: Fixture.deal, clientId: Fixture.client, category: .price,
            raisedOn: Fixture.day(date), text: "Дорого"
        ).event
    }

    func handle(_ objectionId: UUID = Fixture.id(30), on date: String = "2026-02-07") -> HandleObjection {
        HandleObjection(
            objectionId: objectionId, dealId: Fixture.deal, handledOn: Fixture.day(date), resolved: true,
            response: "Рассрочка")
    }

    func concession(_ concessionId: UUID = Fixture.id(40), on date: String = "2026-02-08") -> AgreeConcession {
        AgreeConcession(
            concessionId: concessionId, dealId: Fixture.deal, given: "3 %", inReturn: "предоплата",
            agreedOn: Fixture.day(date))
    }

    // MARK: opening

    @Test("a deal opens in the first stage of its pipeline")
    func openInSales() throws {
        #expect(
            try Deal.decide(open(), state: Deal.initialState, client: registered, pipeline: sales) == [
                DealOpened(
                    dealId: Fixture.deal, clientId: Fixture.client, pipeline: "sales", stage: "lead",
                    title: "Поставка бумаги",
                    amountMinor: 100_000, currency: Fixture.rub, openedOn: Fixture.day("2026-02-01")
                ).event
            ])
    }

    @Test("a deal opens in a defined pipeline's first stage")
    func openInCustomPipeline() throws {
        let b2b = PipelineCatalogue.evolve(
            PipelineCatalogue.initialState(for: "b2b"),
            PipelineDefined(pipeline: "b2b", stages: ["inquiry", "demo"], definedOn: Fixture.day("2026-01-01")).event
        )
        let events = try Deal.decide(open(pipeline: "b2b"), state: Deal.initialState, client: registered, pipeline: b2b)
        guard case .dealOpened(let opened) = events.first else { Issue.record("not opened"); return }
        #expect(opened.pipeline == "b2b" && opened.stage == "inquiry")
    }

    @Test("opening refusals: unknown client, unknown pipeline, existing deal, zero amount")
    func openRefusals() {
        let noClient = violation {
            try Deal.decide(open(), state: Deal.initialState, client: Client.initialState, pipeline: sales)
        }
        #expect(noClient?.code == .clientNotFound && noClient?.kind == .missing && noClient?.field == "clientId")
        let unknown = violation {
            try Deal.decide(
                open(pipeline: "b2b"), state: Deal.initialState, client: registered,
                pipeline: PipelineCatalogue.initialState(for: "b2b"))
        }
        #expect(unknown?.code == .pipelineNotFound && unknown?.kind == .missing)
        let mismatched = violation {
            try Deal.decide(open(pipeline: "b2b"), state: Deal.initialState, client: registered, pipeline: sales)
        }
        #expect(mismatched?.code == .pipelineNotFound)
        #expect(
            violation { try Deal.decide(open(), state: deal(), client: registered, pipeline: sales) }?.code
                == .dealAlreadyExists)
        #expect(
            violation {
                try Deal.decide(open(amountMinor: -5), state: Deal.initialState, client: registered, pipeline: sales)
            }?.code == .amountNotPositive)
    }

    // MARK: stages

    @Test("moving forward records where the deal came from")
    func moveForward() throws {
        #expect(
            try Deal.decide(move("qualified", on: "2026-02-02"), state: deal(), pipeline: sales) == [
                DealStageMoved(
                    dealId: Fixture.deal, clientId: Fixture.client, from: "lead", stage: "qualified",
                    movedOn: Fixture.day("2026-02-02")
                ).event
            ])
    }

    @Test("moving back is allowed, also on the same day as the previous move")
    func moveBack() throws {
        let current = deal([Fixture.moved(from: "lead", to: "offer", on: "2026-02-05")])
        let events = try Deal.decide(move("needs", on: "2026-02-05"), state: current, pipeline: sales)
        #expect(
            events == [
                DealStageMoved(
                    dealId: Fixture.deal, clientId: Fixture.client, from: "offer", stage: "needs",
                    movedOn: Fixture.day("2026-02-05")
                ).event
            ])
        let after = Fixture.fold(events, from: current, Deal.evolve)
        #expect(after.stage == "needs" && after.stageEnteredOn == Fixture.day("2026-02-05"))
    }

    @Test("the stage must belong to the pipeline and differ from the current one")
    func stageRules() {
        let unknown = violation {
            try Deal.decide(move("negotiation", on: "2026-02-02"), state: deal(), pipeline: sales)
        }
        #expect(unknown?.code == .stageUnknown && unknown?.kind == .invalid && unknown?.field == "stage")
        #expect(
            violation { try Deal.decide(move("won", on: "2026-02-02"), state: deal(), pipeline: sales) }?.code
                == .stageUnknown)
        let other = PipelineCatalogue.initialState(for: "b2b")
        #expect(
            violation { try Deal.decide(move("qualified", on: "2026-02-02"), state: deal(), pipeline: other) }?.code
                == .stageUnknown)
        let same = violation { try Deal.decide(move("lead", on: "2026-02-02"), state: deal(), pipeline: sales) }
        #expect(same?.code == .stageUnchanged && same?.kind == .conflict)
    }

    @Test("a stage added by a redefinition can be entered")
    func redefinedStage() throws {
        let redefined = PipelineCatalogue.evolve(
            sales,
            PipelineDefined(
                pipeline: "sales", stages: Pipeline.sales.stages + ["delivery"], definedOn: Fixture.day("2026-02-01")
            ).event
        )
        #expect(try Deal.decide(move("delivery", on: "2026-02-03"), state: deal(), pipeline: redefined).count == 1)
    }

    @Test("a move is not dated before the deal was opened nor before the previous move")
    func moveDates() {
        let early = violation { try Deal.decide(move("qualified", on: "2026-01-31"), state: deal(), pipeline: sales) }
        #expect(early?.code == .dateBeforeOpened && early?.field == "movedOn")
        let moved = deal([Fixture.moved(from: "lead", to: "contact", on: "2026-02-10")])
        let beforeMove = violation { try Deal.decide(move("needs", on: "2026-02-09"), state: moved, pipeline: sales) }
        #expect(beforeMove?.code == .dateBeforePreviousMove && beforeMove?.kind == .invalid)
    }

    @Test("a won or lost deal takes no stage move", arguments: [0, 1])
    func moveClosed(_ outcome: Int) {
        let closed = deal([outcome == 0 ? won : lost])
        let refusal = violation { try Deal.decide(move("qualified", on: "2026-02-11"), state: closed, pipeline: sales) }
        #expect(refusal?.code == .dealClosed && refusal?.kind == .conflict)
    }

    @Test("commands on a deal that does not exist")
    func missingDeal() {
        #expect(
            violation {
                try Deal.decide(move("qualified", on: "2026-02-02"), state: Deal.initialState, pipeline: sales)
            }?.code == .dealNotFound)
        #expect(violation { try Deal.decide(offer(), state: Deal.initialState) }?.code == .dealNotFound)
        #expect(violation { try Deal.decide(objection(), state: Deal.initialState) }?.code == .dealNotFound)
        #expect(violation { try Deal.decide(handle(), state: Deal.initialState) }?.code == .dealNotFound)
        #expect(violation { try Deal.decide(concession(), state: Deal.initialState) }?.code == .dealNotFound)
        #expect(
            violation {
                try Deal.decide(
                    WinDeal(dealId: Fixture.deal, wonOn: Fixture.day("2026-02-10")), state: Deal.initialState)
            }?.code == .dealNotFound)
        let lose = LoseDeal(dealId: Fixture.deal, lostOn: Fixture.day("2026-02-10"), refusedBy: .us, reason: "r")
        #expect(violation { try Deal.decide(lose, state: Deal.initialState) }?.kind == .missing)
        let otherDeal = state([Fixture.opened(Fixture.otherDeal)])
        #expect(violation { try Deal.decide(offer(), state: otherDeal) }?.code == .dealNotFound)
    }

    // MARK: offers

    @Test("an offer in the deal's currency")
    func makeOffer() throws {
        #expect(
            try Deal.decide(offer(validUntil: "2026-02-05"), state: deal()) == [
                OfferMade(
                    offerId: Fixture.id(20), dealId: Fixture.deal, clientId: Fixture.client, amountMinor: 90_000,
                    currency: Fixture.rub,
                    offeredOn: Fixture.day("2026-02-05"), validUntil: Fixture.day("2026-02-05")
                ).event
            ])
    }

    @Test("offer refusals")
    func offerRefusals() throws {
        let currency = violation { try Deal.decide(offer(currency: Fixture.usd), state: deal()) }
        #expect(currency?.code == .currencyMismatch && currency?.field == "currency" && currency?.kind == .invalid)
        #expect(violation { try Deal.decide(offer(on: "2026-01-31"), state: deal()) }?.code == .dateBeforeOpened)
        let validity = violation { try Deal.decide(offer(validUntil: "2026-02-04"), state: deal()) }
        #expect(validity?.code == .validUntilBeforeOffered && validity?.field == "validUntil")
        let made = try Deal.decide(offer(), state: deal())
        #expect(violation { try Deal.decide(offer(), state: deal(made)) }?.code == .duplicateOffer)
        #expect(violation { try Deal.decide(offer(), state: deal([won])) }?.code == .dealClosed)
        #expect(violation { try Deal.decide(offer(), state: deal([lost])) }?.code == .dealClosed)
        var zero = offer()
        zero.amountMinor = 0
        #expect(violation { try Deal.decide(zero, state: deal()) }?.code == .amountNotPositive)
    }

    // MARK: objections

    @Test("raising an objection")
    func raiseObjection() throws {
        #expect(try Deal.decide(objection(), state: deal()) == [raised()])
        #expect(try Deal.decide(objection(on: "2026-02-01"), state: deal()).count == 1)
    }

    @Test("objection refusals")
    func objectionRefusals() {
        #expect(violation { try Deal.decide(objection(on: "2026-01-31"), state: deal()) }?.code == .dateBeforeOpened)
        #expect(violation { try Deal.decide(objection(), state: deal([raised()])) }?.code == .duplicateObjection)
        #expect(violation { try Deal.decide(objection(), state: deal([won])) }?.code == .dealClosed)
        #expect(violation { try Deal.decide(objection(), state: deal([lost])) }?.code == .dealClosed)
    }

    @Test("handling a raised objection, on the day it was raised or later")
    func handleObjection() throws {
        #expect(
            try Deal.decide(handle(on: "2026-02-06"), state: deal([raised()])) == [
                ObjectionHandled(
                    objectionId: Fixture.id(30), dealId: Fixture.deal, clientId: Fixture.client,
                    handledOn: Fixture.day("2026-02-06"), resolved: true, response: "Рассрочка"
                ).event
            ])
    }

    @Test("objection outcome refusals")
    func handleRefusals() throws {
        let unknown = violation { try Deal.decide(handle(), state: deal()) }
        #expect(unknown?.code == .objectionNotFound && unknown?.kind == .missing)
        #expect(
            violation { try Deal.decide(handle(Fixture.id(31)), state: deal([raised()])) }?.code == .objectionNotFound)
        let early = violation { try Deal.decide(handle(on: "2026-02-05"), state: deal([raised()])) }
        #expect(early?.code == .dateBeforeRaised && early?.field == "handledOn")
        let handled = try Deal.decide(handle(), state: deal([raised()]))
        let twice = violation { try Deal.decide(handle(on: "2026-02-09"), state: deal([raised()] + handled)) }
        #expect(twice?.code == .objectionAlreadyHandled && twice?.kind == .conflict)
        #expect(violation { try Deal.decide(handle(), state: deal([raised(), won])) }?.code == .dealClosed)
        #expect(violation { try Deal.decide(handle(), state: deal([raised(), lost])) }?.code == .dealClosed)
    }

    @Test("the state follows objections and their outcomes")
    func objectionState() throws {
        let handled = try Deal.decide(handle(), state: deal([raised()]))
        let folded = deal([raised(), raised(Fixture.id(31))] + handled)
        #expect(folded.objections[Fixture.id(30)]?.isHandled == true)
        #expect(folded.objections[Fixture.id(30)]?.resolved == true)
        #expect(folded.objections[Fixture.id(31)]?.isHandled == false)
    }

    // MARK: concessions

    @Test("concessions are recorded, also after the deal is closed")
    func concessions() throws {
        let expected = [
            ConcessionAgreed(
                concessionId: Fixture.id(40), dealId: Fixture.deal, clientId: Fixture.client, given: "3 %",
                inReturn: "предоплата", agreedOn: Fixture.day("2026-02-08")
            ).event
        ]
        #expect(try Deal.decide(concession(), state: deal()) == expected)
        #expect(try Deal.decide(concession(), state: deal([won])) == expected)
        #expect(try Deal.decide(concession(), state: deal([lost])) == expected)
    }

    @Test("concession refusals")
    func concessionRefusals() throws {
        #expect(violation { try Deal.decide(concession(on: "2026-01-31"), state: deal()) }?.code == .dateBeforeOpened)
        let agreed = try Deal.decide(concession(), state: deal())
        #expect(violation { try Deal.decide(concession(), state: deal(agreed)) }?.code == .duplicateConcession)
    }

    // MARK: outcomes

    @Test("winning records the stage the deal is in")
    func win() throws {
        let current = deal([Fixture.moved(from: "lead", to: "closing", on: "2026-02-09")])
        #expect(
            try Deal.decide(WinDeal(dealId: Fixture.deal, wonOn: Fixture.day("2026-02-09")), state: current) == [
                DealWon(
                    dealId: Fixture.deal, clientId: Fixture.client, stage: "closing", wonOn: Fixture.day("2026-02-09")
                ).event
            ])
    }

    @Test("losing records the stage, who refused, why and the criteria")
    func lose() throws {
        let current = deal([Fixture.moved(from: "lead", to: "needs", on: "2026-02-03")])
        let command = LoseDeal(
            dealId: Fixture.deal, lostOn: Fixture.day("2026-02-04"), refusedBy: .us, reason: "нет нужного товара",
            criteria: "объём")
        #expect(
            try Deal.decide(command, state: current) == [
                DealLost(
                    dealId: Fixture.deal, clientId: Fixture.client, stage: "needs", lostOn: Fixture.day("2026-02-04"),
                    refusedBy: .us, reason: "нет нужного товара", criteria: "объём"
                ).event
            ])
    }

    @Test("outcome refusals: closed deals, dates before opening or before the last move")
    func outcomeRefusals() {
        let win = WinDeal(dealId: Fixture.deal, wonOn: Fixture.day("2026-02-20"))
        let lose = LoseDeal(dealId: Fixture.deal, lostOn: Fixture.day("2026-02-20"), refusedBy: .client, reason: "r")
        #expect(violation { try Deal.decide(win, state: deal([won])) }?.code == .dealClosed)
        #expect(violation { try Deal.decide(win, state: deal([lost])) }?.code == .dealClosed)
        #expect(violation { try Deal.decide(lose, state: deal([won])) }?.code == .dealClosed)
        #expect(violation { try Deal.decide(lose, state: deal([lost])) }?.code == .dealClosed)
        #expect(
            violation {
                try Deal.decide(WinDeal(dealId: Fixture.deal, wonOn: Fixture.day("2026-01-31")), state: deal())
            }?.code == .dateBeforeOpened)
        let lostEarly = LoseDeal(
            dealId: Fixture.deal, lostOn: Fixture.day("2026-01-31"), refusedBy: .client, reason: "r")
        #expect(violation { try Deal.decide(lostEarly, state: deal()) }?.field == "lostOn")
        let moved = deal([Fixture.moved(from: "lead", to: "offer", on: "2026-02-15")])
        #expect(
            violation {
                try Deal.decide(WinDeal(dealId: Fixture.deal, wonOn: Fixture.day("2026-02-14")), state: moved)
            }?.code == .dateBeforePreviousMove)
    }

    @Test("the state follows stage, outcome and the ids used")
    func evolve() {
        let folded = deal([
            Fixture.moved(from: "lead", to: "offer", on: "2026-02-05"),
            OfferMade(
                offerId: Fixture.id(20), dealId: Fixture.deal, clientId: Fixture.client, amountMinor: 1,
                currency: Fixture.rub, offeredOn: Fixture.day("2026-02-05")
            ).event,
            lost,
        ])
        #expect(folded.stage == "offer")
        #expect(folded.stageEnteredOn == Fixture.day("2026-02-05"))
        #expect(folded.lastMovedOn == Fixture.day("2026-02-05"))
        #expect(folded.offerIds == [Fixture.id(20)])
        #expect(folded.outcome == .lost(on: Fixture.day("2026-02-10"), refusedBy: .client))
        #expect(folded.isClosed)
        #expect(Deal.evolve(folded, Fixture.registered()) == folded)
    }
}
