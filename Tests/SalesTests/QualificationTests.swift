import Foundation
import JSON
import Testing

@testable import Sales

/// Lead qualification: given a deal's events, when it is assessed, then `DealQualified` (or a
/// refusal); and the parsing of the assessment's body.
@Suite("Lead qualification")
struct QualificationTests {
    func deal(_ events: [SalesEvent] = []) -> DealState {
        Fixture.fold([Fixture.opened()] + events, from: Deal.initialState, Deal.evolve)
    }

    func body(_ text: String) throws(ValidationFailure) -> QualifyDeal {
        try QualifyDeal.parse(Fixture.json(text), dealId: Fixture.deal)
    }

    func fields(of text: String) -> [String] {
        do {
            _ = try body(text)
            return []
        } catch {
            return error.errors.map(\.field)
        }
    }

    @Test("an assessment with all three criteria records them")
    func allThree() throws {
        let command = try body(
            #"{"assessedOn":"2026-02-03","problem":"склад не успевает","decisionBy":"2026-03-01","budgetMinor":500000,"currency":"RUB"}"#
        )
        let events = try Deal.decide(command, state: deal())
        let expected = DealQualified(
            dealId: Fixture.deal, clientId: Fixture.client, assessedOn: Fixture.day("2026-02-03"),
            problem: "склад не успевает",
            decisionBy: Fixture.day("2026-03-01"), budget: Money(amountMinor: 500_000, currency: Fixture.rub))
        #expect(events == [expected.event])
        #expect(expected.knowsAllCriteria)
    }

    @Test("absent and null criteria are unknown; the assessment does not know all three")
    func unknownCriteria() throws {
        let command = try body(
            #"{"assessedOn":"2026-02-03","problem":null,"decisionBy":"2026-03-01","budgetMinor":null,"currency":null}"#)
        #expect(command.problem == nil && command.budget == nil && command.decisionBy == Fixture.day("2026-03-01"))
        guard case .dealQualified(let qualified)? = try Deal.decide(command, state: deal()).first else {
            Issue.record("no DealQualified")
            return
        }
        #expect(!qualified.knowsAllCriteria)
        #expect(
            qualified.json.objectValue?.keys.sorted() == ["assessedOn", "clientId", "dealId", "decisionBy"],
            "unknown ones are left out")
        let bare = try body(#"{"assessedOn":"2026-02-01"}"#)
        #expect(try Deal.decide(bare, state: deal()).count == 1, "an assessment on the opening day, knowing nothing")
    }

    @Test("a won or lost deal takes no assessment: 422 naming dealId")
    func closedDeal() throws {
        let command = try body(
            #"{"assessedOn":"2026-02-20","problem":"p","decisionBy":"2026-03-01","budgetMinor":1,"currency":"RUB"}"#)
        let won = DealWon(
            dealId: Fixture.deal, clientId: Fixture.client, stage: "lead", wonOn: Fixture.day("2026-02-10")
        ).event
        let lost = DealLost(
            dealId: Fixture.deal, clientId: Fixture.client, stage: "lead", lostOn: Fixture.day("2026-02-10"),
            refusedBy: .us,
            reason: "нет бюджета"
        ).event
        for closing in [won, lost] {
            #expect(throws: SalesRuleViolation.self) { try Deal.decide(command, state: deal([closing])) }
            do {
                _ = try Deal.decide(command, state: deal([closing]))
            } catch {
                #expect(error.code == .qualificationOfClosedDeal && error.kind == .invalid && error.field == "dealId")
            }
        }
    }

    @Test("an assessment before the deal was opened, or of an unknown deal, is refused")
    func datesAndDeals() throws {
        let early = try body(#"{"assessedOn":"2026-01-31"}"#)
        #expect(
            throws: SalesRuleViolation(
                .dateBeforeOpened, "assessedOn 2026-01-31 is before the deal was opened on 2026-02-01",
                field: "assessedOn")
        ) {
            try Deal.decide(early, state: deal())
        }
        #expect(throws: SalesRuleViolation.self) { try Deal.decide(early, state: Deal.initialState) }
        do {
            _ = try Deal.decide(early, state: Deal.initialState)
        } catch {
            #expect(error.code == .dealNotFound)
        }
    }

    @Test("a later assessment is recorded as well: the read models pick the latest on or before a day")
    func reassessment() throws {
        let first = try Deal.decide(try body(#"{"assessedOn":"2026-02-05","problem":"p"}"#), state: deal())
        let second = try Deal.decide(
            try body(
                #"{"assessedOn":"2026-02-03","problem":"p","decisionBy":"2026-03-01","budgetMinor":9,"currency":"EUR"}"#
            ),
            state: deal(first))
        #expect(second.count == 1, "a back-dated assessment is accepted; it counts as of its own date")
    }

    @Test("bad bodies name their field")
    func badBodies() {
        #expect(fields(of: #"{"assessedOn":"2026-02-03","budgetMinor":100,"currency":"XXZ"}"#) == ["currency"])
        #expect(fields(of: #"{"assessedOn":"2026-02-03","budgetMinor":100}"#) == ["currency"])
        #expect(fields(of: #"{"assessedOn":"2026-02-03","currency":"RUB"}"#) == ["budgetMinor"])
        #expect(fields(of: #"{"assessedOn":"2026-02-03","budgetMinor":0,"currency":"RUB"}"#) == ["budgetMinor"])
        #expect(fields(of: #"{"assessedOn":"2026-02-03","budgetMinor":-5,"currency":"RUB"}"#) == ["budgetMinor"])
        #expect(fields(of: #"{"problem":"p"}"#) == ["assessedOn"])
        #expect(fields(of: #"{"assessedOn":"2026-02-30"}"#) == ["assessedOn"])
        #expect(fields(of: #"{"assessedOn":"2026-02-03","decisionBy":"soon"}"#) == ["decisionBy"])
        #expect(fields(of: #"{"assessedOn":"2026-02-03","qualified":true}"#) == ["qualified"])
    }
}
