import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Encoding and decoding events")
struct EventCodingTests {
    static let day = Fixture.day("2026-03-01")

    /// One event of every type, optional fields filled.
    static let everyEvent: [SalesEvent] = [
        ClientRegistered(
            clientId: Fixture.client, name: "Иван", kind: .person, email: "ivan@example.ru", phone: "+7 912 345-67-89",
            source: "выставка", temperature: .cold, registeredOn: day
        ).event,
        TouchRecorded(
            touchId: Fixture.id(3), clientId: Fixture.client, dealId: Fixture.deal, channel: .meeting,
            direction: .inbound,
            occurredAt: Fixture.instant("2026-03-01T09:30:00.123456789Z"), summary: "s", outcome: "o", nextStep: "n"
        ).event,
        OrderPlaced(
            orderId: Fixture.id(4), clientId: Fixture.client, dealId: Fixture.deal, placedOn: day, amountMinor: 5,
            currency: Fixture.rub
        ).event,
        DealOpened(
            dealId: Fixture.deal, clientId: Fixture.client, pipeline: "sales", stage: "lead", title: "t",
            amountMinor: 7,
            currency: Fixture.usd, openedOn: day
        ).event,
        DealStageMoved(dealId: Fixture.deal, clientId: Fixture.client, from: "lead", stage: "offer", movedOn: day)
            .event,
        OfferMade(
            offerId: Fixture.id(5), dealId: Fixture.deal, clientId: Fixture.client, amountMinor: 6,
            currency: Fixture.usd,
            offeredOn: day, validUntil: Fixture.day("2026-03-10"), terms: "terms"
        ).event,
        ObjectionRaised(
            objectionId: Fixture.id(6), dealId: Fixture.deal, clientId: Fixture.client, category: .noBudget,
            raisedOn: day, text: "нет денег"
        ).event,
        ObjectionHandled(
            objectionId: Fixture.id(6), dealId: Fixture.deal, clientId: Fixture.client, handledOn: day, resolved: true,
            response: "r"
        ).event,
        ConcessionAgreed(
            concessionId: Fixture.id(7), dealId: Fixture.deal, clientId: Fixture.client, given: "g", inReturn: "i",
            agreedOn: day
        ).event,
        DealWon(dealId: Fixture.deal, clientId: Fixture.client, stage: "closing", wonOn: day).event,
        DealLost(
            dealId: Fixture.deal, clientId: Fixture.client, stage: "needs", lostOn: day, refusedBy: .us, reason: "r",
            criteria: "c"
        ).event,
        InvoiceIssued(
            invoiceId: Fixture.id(8), clientId: Fixture.client, number: "INV-1", issuedOn: day, dueOn: day,
            amountMinor: 9,
            currency: Fixture.rub, orderId: Fixture.id(4)
        ).event,
        PaymentReceived(
            paymentId: Fixture.id(9), clientId: Fixture.client, receivedOn: day, amountMinor: 10, currency: Fixture.rub,
            allocations: [Allocation(invoiceId: Fixture.id(8), amountMinor: 9)], unappliedMinor: 1
        ).event,
        CreditNoteIssued(
            creditNoteId: Fixture.id(12), invoiceId: Fixture.id(8), clientId: Fixture.client, issuedOn: day,
            amountMinor: 1, currency: Fixture.rub, reason: "r"
        ).event,
        InvoiceWrittenOff(
            invoiceId: Fixture.id(8), clientId: Fixture.client, writtenOffOn: day, amountMinor: 2,
            currency: Fixture.rub, reason: "r"
        ).event,
        PaymentPromised(
            promiseId: Fixture.id(13), invoiceId: Fixture.id(8), clientId: Fixture.client, madeOn: day,
            promisedOn: Fixture.day("2026-03-10"), amountMinor: 3, currency: Fixture.rub, note: "n"
        ).event,
        PaymentReminderSent(
            reminderId: Fixture.id(14), invoiceId: Fixture.id(8), clientId: Fixture.client, sentOn: day,
            channel: .letter, level: .finalNotice
        ).event,
        PipelineDefined(pipeline: "b2b", stages: ["lead", "demo"], definedOn: day).event,
        ClientPersonalDataErased(clientId: Fixture.client, erasedAt: Instant("2026-03-01T09:30:00.123456Z")!, events: 7)
            .event,
        DealQualified(
            dealId: Fixture.deal, clientId: Fixture.client, assessedOn: day, problem: "склад не успевает",
            decisionBy: LocalDate("2026-04-01")!, budget: Money(amountMinor: 500_000, currency: Fixture.rub)
        ).event,
    ]

    @Test("the catalogue's twenty types, each once")
    func catalogue() {
        #expect(
            Self.everyEvent.map(\.type) == [
                "ClientRegistered", "TouchRecorded", "OrderPlaced", "DealOpened", "DealStageMoved", "OfferMade",
                "ObjectionRaised",
                "ObjectionHandled", "ConcessionAgreed", "DealWon", "DealLost", "InvoiceIssued", "PaymentReceived",
                "CreditNoteIssued", "InvoiceWrittenOff", "PaymentPromised", "PaymentReminderSent", "PipelineDefined",
                "ClientPersonalDataErased", "DealQualified",
            ])
        #expect(SalesEvent.payloadTypes.map { $0.eventType } == Self.everyEvent.map(\.type))
        #expect(Self.everyEvent.allSatisfy { $0.schemaVersion == ($0.type == "TouchRecorded" ? 2 : 1) })
    }

    @Test("every event decodes back to itself")
    func roundTrip() throws {
        for event in Self.everyEvent {
            #expect(
                try SalesEvent.decode(type: event.type, schemaVersion: event.schemaVersion, data: event.encode())
                    == event)
        }
    }

    @Test("encoding is deterministic: sorted keys, lowercase ids, no whitespace")
    func deterministic() {
        let invoice = Self.everyEvent[11]
        #expect(
            String(decoding: invoice.encode(), as: UTF8.self) == """
                {"amountMinor":9,"clientId":"00000000-0000-4000-8000-000000000001","currency":"RUB","dueOn":"2026-03-01",\
                "invoiceId":"00000000-0000-4000-8000-000000000008","issuedOn":"2026-03-01","number":"INV-1",\
                "orderId":"00000000-0000-4000-8000-000000000004"}
                """)
        let payment = Self.everyEvent[12]
        #expect(
            String(decoding: payment.encode(), as: UTF8.self) == """
                {"allocations":[{"amountMinor":9,"invoiceId":"00000000-0000-4000-8000-000000000008"}],"amountMinor":10,\
                "clientId":"00000000-0000-4000-8000-000000000001","currency":"RUB","paymentId":"00000000-0000-4000-8000-000000000009",\
                "receivedOn":"2026-03-01","unappliedMinor":1}
                """)
        for event in Self.everyEvent {
            #expect(event.encode() == event.encode())
        }
    }

    @Test("ids are written in lowercase whatever case they were parsed from")
    func lowercaseIds() {
        let upper = UUID(uuidString: "ABCDEF01-2345-4678-9ABC-DEF012345678")!
        let event = DealWon(dealId: upper, clientId: upper, stage: "closing", wonOn: Self.day).event
        let text = String(decoding: event.encode(), as: UTF8.self)
        #expect(text.contains("abcdef01-2345-4678-9abc-def012345678"))
        #expect(!text.contains("ABCDEF"))
        #expect(event.stream.description == "deal-abcdef01-2345-4678-9abc-def012345678")
    }

    @Test("optional fields are left out, never null")
    func omittedOptionals() {
        let event = ClientRegistered(clientId: Fixture.client, name: "Ann", kind: .person, registeredOn: Self.day).event
        #expect(
            String(decoding: event.encode(), as: UTF8.self)
                == #"{"clientId":"00000000-0000-4000-8000-000000000001","kind":"person","name":"Ann","registeredOn":"2026-03-01"}"#
        )
        let touch = TouchRecorded(
            touchId: Fixture.id(3), clientId: Fixture.client, channel: .call, direction: .outbound,
            occurredAt: Fixture.instant("2026-03-01T09:30:00Z")
        ).event
        #expect(!String(decoding: touch.encode(), as: UTF8.self).contains("null"))
    }

    @Test("Codable encoding agrees with encode()")
    func codable() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for event in Self.everyEvent {
            let viaCodable = try encoder.encode(event.payload)
            #expect(try JSONValue(parsing: viaCodable) == (try JSONValue(parsing: event.encode())))
        }
    }

    @Test("stream, client and business time of each event")
    func metadata() {
        let streams = Self.everyEvent.map(\.stream.description)
        #expect(
            streams == [
                "client-00000000-0000-4000-8000-000000000001", "client-00000000-0000-4000-8000-000000000001",
                "client-00000000-0000-4000-8000-000000000001",
            ] + Array(repeating: "deal-00000000-0000-4000-8000-000000000010", count: 8)
                + Array(
                    repeating: "receivables-00000000-0000-4000-8000-000000000001", count: 6
                ) + [
                    "pipeline-b2b", "client-00000000-0000-4000-8000-000000000001",
                    "deal-00000000-0000-4000-8000-000000000010",
                ])
        #expect(Self.everyEvent.filter { $0.type != "PipelineDefined" }.allSatisfy { $0.clientId == Fixture.client })
        #expect(Self.everyEvent.first { $0.type == "PipelineDefined" }?.clientId == .some(nil))
        #expect(Self.everyEvent[1].occurredAt.description == "2026-03-01T09:30:00.123456789Z")
        #expect(
            Self.everyEvent.first { $0.type == "ClientPersonalDataErased" }?.occurredAt.description
                == "2026-03-01T09:30:00.123456Z")
        #expect(
            Self.everyEvent.filter { !["TouchRecorded", "ClientPersonalDataErased"].contains($0.type) }.allSatisfy {
                $0.occurredAt.description == "2026-03-01T00:00:00Z"
            })
        #expect(Self.everyEvent.allSatisfy { $0.businessDate == Self.day })
    }

    @Test("stream names parse back, and only well-formed ones")
    func streamNames() {
        for event in Self.everyEvent {
            #expect(StreamName(event.stream.description) == event.stream)
        }
        #expect(StreamName("client-00000000-0000-4000-8000-00000000000A") == nil)
        #expect(StreamName("invoice-00000000-0000-4000-8000-000000000001") == nil)
        #expect(StreamName("pipeline-B2B") == nil)
        #expect(StreamName("pipeline-") == nil)
        #expect(StreamName("deal") == nil)
        #expect(StreamName("pipeline-b2b-eu") == .pipeline("b2b-eu"))
    }

    @Test("reading refuses unknown types, future versions and malformed payloads")
    func decodingErrors() {
        let data = Self.everyEvent[9].encode()
        #expect(throws: EventDecodingError.unknownType("DealAbandoned")) {
            try SalesEvent.decode(type: "DealAbandoned", schemaVersion: 1, data: data)
        }
        #expect(throws: EventDecodingError.unsupportedVersion(type: "DealWon", version: 2)) {
            try SalesEvent.decode(type: "DealWon", schemaVersion: 2, data: data)
        }
        #expect(throws: EventDecodingError.unsupportedVersion(type: "DealWon", version: 0)) {
            try SalesEvent.decode(type: "DealWon", schemaVersion: 0, data: data)
        }
        #expect(throws: EventDecodingError.self) {
            try SalesEvent.decode(type: "DealWon", schemaVersion: 1, data: Data(#"{"dealId": "x"}"#.utf8))
        }
        #expect(throws: EventDecodingError.self) {
            try SalesEvent.decode(type: "OrderPlaced", schemaVersion: 1, data: Data(#"{"#.utf8))
        }
        let unknownCurrency = String(decoding: Self.everyEvent[2].encode(), as: UTF8.self).replacingOccurrences(
            of: "RUB", with: "XXX")
        #expect(throws: EventDecodingError.self) {
            try SalesEvent.decode(type: "OrderPlaced", schemaVersion: 1, data: Data(unknownCurrency.utf8))
        }
    }

    @Test("keys a payload does not know are ignored on read")
    func extraKeys() throws {
        let data = Data(
            #"{"dealId":"00000000-0000-4000-8000-000000000010","clientId":"00000000-0000-4000-8000-000000000001","stage":"closing","wonOn":"2026-03-01","note":"x"}"#
                .utf8)
        #expect(try SalesEvent.decode(type: "DealWon", schemaVersion: 1, data: data) == Self.everyEvent[9])
    }

    @Test("erased personal fields read as absent, or empty when required")
    func erasedFields() throws {
        let erased = Data(
            """
            {"clientId":"00000000-0000-4000-8000-000000000001","name":null,"kind":"person","email":null,"phone":null,
             "registeredOn":"2026-03-01","erasedFields":["name","email","phone"]}
            """.utf8)
        let event = try SalesEvent.decode(type: "ClientRegistered", schemaVersion: 1, data: erased)
        #expect(
            event == ClientRegistered(clientId: Fixture.client, name: "", kind: .person, registeredOn: Self.day).event)
        let lost = Data(
            """
            {"dealId":"00000000-0000-4000-8000-000000000010","clientId":"00000000-0000-4000-8000-000000000001","stage":"needs",
             "lostOn":"2026-03-01","refusedBy":"client","reason":null,"criteria":null}
            """.utf8)
        let decoded = try SalesEvent.decode(type: "DealLost", schemaVersion: 1, data: lost)
        #expect(
            decoded
                == DealLost(
                    dealId: Fixture.deal, clientId: Fixture.client, stage: "needs", lostOn: Self.day,
                    refusedBy: .client, reason: ""
                ).event)
        let nullAmount = Data(
            #"{"dealId":"00000000-0000-4000-8000-000000000010","clientId":"00000000-0000-4000-8000-000000000001","stage":null,"wonOn":"2026-03-01"}"#
                .utf8)
        #expect(throws: EventDecodingError.self) {
            try SalesEvent.decode(type: "DealWon", schemaVersion: 1, data: nullAmount)
        }
    }

    @Test("personal fields are the contract's: name, email, phone and free text")
    func personalFields() {
        let personal = Dictionary(
            uniqueKeysWithValues: SalesEvent.payloadTypes.map { ($0.eventType, $0.personalFields) })
        #expect(personal["ClientRegistered"] == ["name", "email", "phone"])
        #expect(personal["TouchRecorded"] == ["summary", "outcome", "nextStep"])
        #expect(personal["DealOpened"] == ["title"])
        #expect(personal["ConcessionAgreed"] == ["given", "inReturn"])
        #expect(personal["DealLost"] == ["reason", "criteria"])
        #expect(personal["PaymentReceived"] == [])
        for type in SalesEvent.payloadTypes {
            #expect(type.requiredPersonalFields.isSubset(of: type.personalFields))
        }
    }
}
