import Foundation
import HexText
import JSON
import Testing

@testable import Sales

@Suite("Parsing client commands")
struct ClientCommandParsingTests {
    let now = Fixture.instant("2026-03-01T21:30:00-05:00")

    @Test("a full client registration")
    func registerFull() throws {
        let body = Fixture.json(
            """
            {"clientId": "6F1C0D4E-8B2A-4C3D-9E5F-0A1B2C3D4E5F", "name": "Иван Петров", "kind": "person",
             "email": "ivan@example.ru", "phone": "+7 (912) 345-67-89", "source": "выставка", "temperature": "warm",
             "registeredOn": "2026-02-14"}
            """)
        let command = try RegisterClient.parse(body, recordedAt: now, makeID: Fixture.always(Fixture.id(99)))
        #expect(
            command
                == RegisterClient(
                    clientId: UUID(uuidString: "6f1c0d4e-8b2a-4c3d-9e5f-0a1b2c3d4e5f")!, name: "Иван Петров",
                    kind: .person,
                    email: "ivan@example.ru", phone: "+7 (912) 345-67-89", source: "выставка", temperature: .warm,
                    registeredOn: Fixture.day("2026-02-14")
                ))
        #expect(command.clientId.canonical == "6f1c0d4e-8b2a-4c3d-9e5f-0a1b2c3d4e5f")
    }

    @Test("a minimal registration gets a fresh id and the UTC date of recording")
    func registerDefaults() throws {
        let command = try RegisterClient.parse(
            Fixture.json(#"{"name": "ООО Ромашка", "kind": "company", "email": null}"#), recordedAt: now,
            makeID: Fixture.always(Fixture.id(99))
        )
        #expect(command.clientId == Fixture.id(99))
        #expect(command.registeredOn == Fixture.day("2026-03-02"))
        #expect(command.email == nil && command.phone == nil && command.source == nil && command.temperature == nil)
    }

    @Test("reports every problem of a registration at once")
    func registerAllErrors() {
        let body = Fixture.json(
            """
            {"kind": "robot", "email": "not-an-email", "phone": "call me", "temperature": "hot",
             "registeredOn": "2026-02-30", "clientId": "42", "nmae": "typo"}
            """)
        let refusal = failure { try RegisterClient.parse(body, recordedAt: now) }
        #expect(
            refusal?.fields == ["clientId", "name", "kind", "email", "phone", "temperature", "registeredOn", "nmae"])
        #expect(refusal?.message(for: "name") == "is required")
        #expect(refusal?.message(for: "kind") == "must be one of: person, company")
        #expect(refusal?.message(for: "temperature") == "must be one of: warm, cold")
        #expect(refusal?.message(for: "registeredOn") == "is not a day of the calendar")
        #expect(refusal?.message(for: "clientId") == "must be a UUID")
        #expect(refusal?.message(for: "nmae") == "is not a field of this command")
    }

    @Test(
        "limits and shapes of client strings",
        arguments: [
            (#"{"name": "", "kind": "person"}"#, "name", "must not be blank"),
            (#"{"name": "   ", "kind": "person"}"#, "name", "must not be blank"),
            (#"{"name": 42, "kind": "person"}"#, "name", "must be a string"),
            (#"{"name": "a\nb", "kind": "person"}"#, "name", "must not contain control characters"),
            (
                #"{"name": "Ann", "kind": "person", "email": "a@b"}"#, "email",
                "must be an e-mail address like name@example.com"
            ),
            (
                #"{"name": "Ann", "kind": "person", "email": "a b@example.com"}"#, "email",
                "must be an e-mail address like name@example.com"
            ),
            (
                #"{"name": "Ann", "kind": "person", "email": "a@@example.com"}"#, "email",
                "must be an e-mail address like name@example.com"
            ),
            (
                #"{"name": "Ann", "kind": "person", "email": "a@-x.com"}"#, "email",
                "must be an e-mail address like name@example.com"
            ),
            (
                #"{"name": "Ann", "kind": "person", "phone": "12"}"#, "phone",
                "must be a phone number: digits, spaces, - ( ) . and an optional leading +"
            ),
            (
                #"{"name": "Ann", "kind": "person", "phone": "+7+912"}"#, "phone",
                "must be a phone number: digits, spaces, - ( ) . and an optional leading +"
            ),
            (
                #"{"name": "Ann", "kind": "person", "phone": "+7 912 345 67 89 00 11 22 33 44 55"}"#, "phone",
                "must be at most 32 characters"
            ),
            (#"{"name": "Ann", "kind": "PERSON"}"#, "kind", "must be one of: person, company"),
            (
                #"{"name": "Ann", "kind": "person", "registeredOn": "01.03.2026"}"#, "registeredOn",
                "must be a date YYYY-MM-DD"
            ),
            (#"{"name": "Ann", "kind": "person", "registeredOn": 20260301}"#, "registeredOn", "must be a string"),
        ])
    func clientStrings(_ body: String, _ field: String, _ message: String) {
        let refusal = failure { try RegisterClient.parse(Fixture.json(body), recordedAt: now) }
        #expect(refusal?.errors == [FieldError(field: field, message: message)])
    }

    @Test("names of 200 characters pass, 201 do not; e-mails up to 254")
    func lengthLimits() {
        let name200 = String(repeating: "я", count: 200)
        #expect(
            failure {
                try RegisterClient.parse(
                    .object(["name": .string(name200), "kind": .string("person")]), recordedAt: now)
            } == nil)
        let refusal = failure {
            try RegisterClient.parse(
                .object(["name": .string(name200 + "я"), "kind": .string("person")]), recordedAt: now)
        }
        #expect(refusal?.message(for: "name") == "must be at most 200 characters")
        let longEmail = String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 186) + ".com"
        #expect(longEmail.count == 255)
        let emailRefusal = failure {
            try RegisterClient.parse(
                .object(["name": .string("Ann"), "kind": .string("person"), "email": .string(longEmail)]),
                recordedAt: now)
        }
        #expect(emailRefusal?.message(for: "email") == "must be at most 254 characters")
    }

    @Test("a body that is not an object")
    func notAnObject() {
        let refusal = failure { try RegisterClient.parse(Fixture.json("[1]"), recordedAt: now) }
        #expect(refusal?.errors.first == FieldError(field: "body", message: "must be a JSON object"))
    }

    @Test("a touch with every field, and its instant normalised to UTC")
    func touch() throws {
        let body = Fixture.json(
            """
            {"channel": "call", "direction": "outbound", "occurredAt": "2026-03-01T12:30:00.5+03:00",
             "dealId": "00000000-0000-4000-8000-000000000010", "summary": "Обсудили объём",
             "outcome": "Интерес есть", "nextStep": "Отправить КП\\nдо пятницы"}
            """)
        let command = try RecordTouch.parse(body, clientId: Fixture.client, makeID: Fixture.always(Fixture.id(5)))
        #expect(
            command
                == RecordTouch(
                    touchId: Fixture.id(5), clientId: Fixture.client, dealId: Fixture.deal, channel: .call,
                    direction: .outbound,
                    occurredAt: Fixture.instant("2026-03-01T09:30:00.5Z"), summary: "Обсудили объём",
                    outcome: "Интерес есть",
                    nextStep: "Отправить КП\nдо пятницы", touchIdGiven: false
                ))
        let chosen = try RecordTouch.parse(
            Fixture.json(
                #"{"touchId": "00000000-0000-4000-8000-000000000007", "channel": "call", "direction": "outbound", "occurredAt": "2026-03-01T09:30:00Z"}"#
            ),
            clientId: Fixture.client)
        #expect(chosen.touchId == Fixture.id(7) && chosen.touchIdGiven)
    }

    @Test("touch refusals")
    func touchRefusals() {
        let body = Fixture.json(
            """
            {"channel": "fax", "direction": "sideways", "occurredAt": "2026-03-01T09:30:00",
             "summary": "\(String(repeating: "x", count: 4001))", "dealId": "not-a-uuid"}
            """)
        let refusal = failure { try RecordTouch.parse(body, clientId: Fixture.client) }
        #expect(refusal?.fields == ["channel", "direction", "occurredAt", "dealId", "summary"])
        #expect(refusal?.message(for: "channel") == "must be one of: call, email, meeting, message, visit")
        #expect(refusal?.message(for: "occurredAt") == "must be an RFC 3339 instant such as 2026-03-01T09:30:00Z")
        #expect(refusal?.message(for: "summary") == "must be at most 4000 characters")
    }

    @Test("an order")
    func order() throws {
        let body = Fixture.json(
            #"{"placedOn": "2026-03-05", "amountMinor": 250000, "currency": "UAH", "orderId": "00000000-0000-4000-8000-000000000007"}"#
        )
        let command = try PlaceOrder.parse(body, clientId: Fixture.client)
        #expect(
            command
                == PlaceOrder(
                    orderId: Fixture.id(7), clientId: Fixture.client, placedOn: Fixture.day("2026-03-05"),
                    amountMinor: 250_000,
                    currency: Currency(code: "UAH")!
                ))
    }

    @Test(
        "amounts must be positive JSON integers within 64 bits",
        arguments: [
            (#""150000""#, "must be an integer number of minor units"),
            ("1.5", "must be an integer number of minor units, without fraction or exponent"),
            ("150000.0", "must be an integer number of minor units, without fraction or exponent"),
            ("1e3", "must be an integer number of minor units, without fraction or exponent"),
            ("true", "must be an integer number of minor units"),
            ("[1]", "must be an integer number of minor units"),
            ("0", "must be greater than 0"),
            ("-0", "must be greater than 0"),
            ("-100", "must be greater than 0"),
            ("-99999999999999999999", "must be greater than 0"),
            ("9223372036854775808", "must be at most 9223372036854775807"),
            ("123456789012345678901234567890", "must be at most 9223372036854775807"),
        ])
    func amounts(_ literal: String, _ message: String) {
        let body = Fixture.json(#"{"placedOn": "2026-03-05", "currency": "RUB", "amountMinor": \#(literal)}"#)
        let refusal = failure { try PlaceOrder.parse(body, clientId: Fixture.client) }
        #expect(refusal?.errors == [FieldError(field: "amountMinor", message: message)])
    }

    @Test("the largest 64-bit amount is accepted")
    func largestAmount() throws {
        let body = Fixture.json(#"{"placedOn": "2026-03-05", "currency": "RUB", "amountMinor": 9223372036854775807}"#)
        #expect(try PlaceOrder.parse(body, clientId: Fixture.client).amountMinor == .max)
    }

    @Test("currencies must be known ISO 4217 codes", arguments: [#""XYZ""#, #""rub""#, #""""#, "643", "null"])
    func currencies(_ literal: String) {
        let body = Fixture.json(#"{"placedOn": "2026-03-05", "amountMinor": 1, "currency": \#(literal)}"#)
        let refusal = failure { try PlaceOrder.parse(body, clientId: Fixture.client) }
        #expect(refusal?.fields == ["currency"])
    }
}
