import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Parsing deal commands")
struct DealCommandParsingTests {
    @Test("opening a deal, default pipeline and generated id")
    func openDeal() throws {
        let body = Fixture.json(
            """
            {"clientId": "00000000-0000-4000-8000-000000000001", "title": "Поставка бумаги", "amountMinor": 1500000,
             "currency": "RUB", "openedOn": "2026-02-01"}
            """)
        let command = try OpenDeal.parse(body, makeID: Fixture.always(Fixture.deal))
        #expect(
            command
                == OpenDeal(
                    dealId: Fixture.deal, clientId: Fixture.client, title: "Поставка бумаги", amountMinor: 1_500_000,
                    currency: Fixture.rub, openedOn: Fixture.day("2026-02-01"), pipeline: "sales"
                ))
    }

    @Test("opening a deal: every missing or wrong field reported")
    func openDealRefusals() {
        let refusal = failure { try OpenDeal.parse(Fixture.json(#"{"pipeline": "Big Deals", "dealId": 7}"#)) }
        #expect(refusal?.fields == ["dealId", "clientId", "title", "amountMinor", "currency", "openedOn", "pipeline"])
        #expect(
            refusal?.message(for: "pipeline")
                == "must be 1 to 63 lower-case letters, digits or '-', not starting with '-'")
    }

    @Test("a stage move")
    func moveStage() throws {
        let command = try MoveDealStage.parse(
            Fixture.json(#"{"stage": "qualified", "movedOn": "2026-02-03"}"#), dealId: Fixture.deal)
        #expect(command == MoveDealStage(dealId: Fixture.deal, stage: "qualified", movedOn: Fixture.day("2026-02-03")))
        let refusal = failure {
            try MoveDealStage.parse(
                Fixture.json(#"{"stage": "", "movedOn": "2026-02-30", "dealId": "x"}"#), dealId: Fixture.deal)
        }
        #expect(refusal?.fields == ["stage", "movedOn", "dealId"])
    }

    @Test("an offer with validity and terms")
    func offer() throws {
        let body = Fixture.json(
            """
            {"amountMinor": 1400000, "currency": "RUB", "offeredOn": "2026-02-10", "validUntil": "2026-02-20",
             "terms": "3 % при предоплате", "offerId": "00000000-0000-4000-8000-000000000020"}
            """)
        #expect(
            try MakeOffer.parse(body, dealId: Fixture.deal)
                == MakeOffer(
                    offerId: Fixture.id(20), dealId: Fixture.deal, amountMinor: 1_400_000, currency: Fixture.rub,
                    offeredOn: Fixture.day("2026-02-10"), validUntil: Fixture.day("2026-02-20"),
                    terms: "3 % при предоплате"
                ))
        let refusal = failure {
            try MakeOffer.parse(
                Fixture.json(
                    #"{"amountMinor": -1, "currency": "EURO", "offeredOn": "2026-02-10", "validUntil": true}"#),
                dealId: Fixture.deal)
        }
        #expect(refusal?.fields == ["amountMinor", "currency", "validUntil"])
    }

    @Test("objections: every category of seed 003 and nothing else")
    func objections() throws {
        for category in [
            "price", "no-need", "not-interested", "has-supplier", "no-budget", "not-now", "own-resources", "crisis",
            "other",
        ] {
            let body = Fixture.json(#"{"category": "\#(category)", "raisedOn": "2026-02-11", "text": "Дорого"}"#)
            #expect(try RaiseObjection.parse(body, dealId: Fixture.deal).category.rawValue == category)
        }
        let refusal = failure {
            try RaiseObjection.parse(
                Fixture.json(#"{"category": "expensive", "raisedOn": "2026-02-11"}"#), dealId: Fixture.deal)
        }
        #expect(
            refusal?.message(for: "category")
                == "must be one of: price, no-need, not-interested, has-supplier, no-budget, not-now, own-resources, crisis, other"
        )
    }

    @Test("an objection outcome needs a real boolean")
    func outcome() throws {
        let command = try HandleObjection.parse(
            Fixture.json(#"{"handledOn": "2026-02-12", "resolved": false, "response": "Рассрочка"}"#),
            dealId: Fixture.deal, objectionId: Fixture.id(30)
        )
        #expect(
            command
                == HandleObjection(
                    objectionId: Fixture.id(30), dealId: Fixture.deal, handledOn: Fixture.day("2026-02-12"),
                    resolved: false, response: "Рассрочка"
                ))
        for literal in [#""true""#, "1", "null"] {
            let refusal = failure {
                try HandleObjection.parse(
                    Fixture.json(#"{"handledOn": "2026-02-12", "resolved": \#(literal)}"#), dealId: Fixture.deal,
                    objectionId: Fixture.id(30))
            }
            #expect(refusal?.fields == ["resolved"])
        }
    }

    @Test("a concession needs both sides of the trade")
    func concession() throws {
        let command = try AgreeConcession.parse(
            Fixture.json(#"{"given": "скидка 3 %", "inReturn": "предоплата 100 %", "agreedOn": "2026-02-15"}"#),
            dealId: Fixture.deal, makeID: Fixture.always(Fixture.id(40))
        )
        #expect(
            command.concessionId == Fixture.id(40) && command.given == "скидка 3 %"
                && command.inReturn == "предоплата 100 %")
        let refusal = failure {
            try AgreeConcession.parse(
                Fixture.json(#"{"given": "скидка", "inReturn": " ", "agreedOn": "2026-02-15"}"#), dealId: Fixture.deal)
        }
        #expect(refusal?.errors == [FieldError(field: "inReturn", message: "must not be blank")])
    }

    @Test("winning and losing")
    func outcomes() throws {
        #expect(
            try WinDeal.parse(Fixture.json(#"{"wonOn": "2026-03-01"}"#), dealId: Fixture.deal)
                == WinDeal(dealId: Fixture.deal, wonOn: Fixture.day("2026-03-01")))
        let lose = try LoseDeal.parse(
            Fixture.json(
                #"{"lostOn": "2026-03-01", "refusedBy": "us", "reason": "нет нужного объёма", "criteria": "бюджет"}"#),
            dealId: Fixture.deal
        )
        #expect(
            lose
                == LoseDeal(
                    dealId: Fixture.deal, lostOn: Fixture.day("2026-03-01"), refusedBy: .us,
                    reason: "нет нужного объёма", criteria: "бюджет"))
        let refusal = failure {
            try LoseDeal.parse(Fixture.json(#"{"lostOn": "2026-03-01", "refusedBy": "them"}"#), dealId: Fixture.deal)
        }
        #expect(refusal?.fields == ["refusedBy", "reason"])
        #expect(
            failure {
                try WinDeal.parse(Fixture.json(#"{"wonOn": "2026-03-01", "stage": "closing"}"#), dealId: Fixture.deal)
            }?.fields == ["stage"])
    }
}
