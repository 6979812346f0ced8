import Foundation
import HexText
import Testing

@testable import JSON
@testable import Sales

@Suite("Decoding payloads from parsed JSON")
struct JSONValueDecoderTests {
    private func parsed(_ text: String) throws -> JSONValue {
        try JSONValue(parsing: Data(text.utf8))
    }

    /// Every payload type decodes to what Foundation's `JSONDecoder` makes of the same bytes.
    @Test func everyPayloadDecodesAsFoundationDecodesIt() throws {
        for event in EventCodingTests.everyEvent {
            let data = event.encode()
            let type = try #require(SalesEvent.payloadType(named: event.type))
            func both<Payload: SalesEventPayload>(_ type: Payload.Type) throws -> (SalesEvent, SalesEvent) {
                (
                    try JSONDecoder().decode(type, from: data).event,
                    try JSONValueDecoder.decode(type, from: try JSONValue(parsing: data)).event
                )
            }
            let (foundation, ours) = try both(type)
            #expect(ours == foundation, "\(event.type)")
            #expect(ours == event, "\(event.type)")
        }
    }

    @Test func idsAreReadInEitherCaseAndRefusedWhenMalformed() throws {
        let lower = UUID(uuidString: "0f8fad5b-d9cb-469f-a165-70867728950e")!
        #expect(try JSONValueDecoder.decode(UUID.self, from: .string("0F8FAD5B-D9CB-469F-A165-70867728950E")) == lower)
        #expect(try JSONValueDecoder.decode(UUID.self, from: .string(lower.canonical)) == lower)
        for bad in [
            "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5bd9cb-469f-a165-70867728950e0",
            "0f8fad5b-d9cb-469f-a165-70867728950g",
            "0f8fad5b-d9cb-469f-a165-70867728950é", "",
        ] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONValueDecoder.decode(UUID.self, from: .string(bad)) }
        }
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(UUID.self, from: .integer(7)) }
    }

    /// Every byte in every place of an id: a hex digit where one belongs is read as Foundation
    /// reads it; anything else is refused (Foundation's `sscanf` lets a space or a sign through).
    @Test func everyByteInEveryPlaceOfAnIdIsReadAsFoundationReadsIt() {
        for byte in UInt8.min...UInt8.max {
            let reference = UInt8(exactly: Character(Unicode.Scalar(byte)).hexDigitValue ?? 99)
            #expect(hexDigit(byte) == (byte < 0x80 && reference != 99 ? reference : nil), "\(byte)")
        }
        let id = Array("0f8fad5b-d9cb-469f-a165-70867728950e".utf8)
        for place in id.indices {
            for byte in UInt8(0x20)...UInt8(0x7E) {
                var text = id
                text[place] = byte
                let string = String(decoding: text, as: UTF8.self)
                let belongs = [8, 13, 18, 23].contains(place) ? byte == UInt8(ascii: "-") : hexDigit(byte) != nil
                #expect(UUID(hexText: string) == (belongs ? UUID(uuidString: string) : nil), "\(string)")
            }
        }
    }

    @Test func integersMustBeWholeAndFit() throws {
        #expect(try JSONValueDecoder.decode(Int64.self, from: parsed("-9223372036854775808")) == Int64.min)
        #expect(try JSONValueDecoder.decode([UInt8].self, from: parsed("[0, 255]")) == [0, 255])
        for bad in ["9223372036854775808", "1.5", "1e3", "\"7\"", "null"] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONValueDecoder.decode(Int64.self, from: parsed(bad)) }
        }
        #expect(try JSONValueDecoder.decode(Double.self, from: parsed("1.5e3")) == 1_500)
    }

    /// A missing member, a wrong type and a null are told apart, each with the path to the value.
    @Test func errorsNameWhatIsWrongAndWhere() throws {
        let payment = #"""
            {"paymentId":"0f8fad5b-d9cb-469f-a165-70867728950e","clientId":"0f8fad5b-d9cb-469f-a165-70867728950e",
             "receivedOn":"2026-03-01","amountMinor":10,"currency":"RUB","unappliedMinor":0,
             "allocations":[{"invoiceId":"0f8fad5b-d9cb-469f-a165-70867728950e","amountMinor":"ten"}]}
            """#
        do {
            _ = try JSONValueDecoder.decode(PaymentReceived.self, from: parsed(payment))
            Issue.record("a string amount was decoded")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["allocations", "Index 0", "amountMinor"])
        }
        let missing = payment.replacingOccurrences(of: #""receivedOn":"2026-03-01","#, with: "")
        do {
            _ = try JSONValueDecoder.decode(PaymentReceived.self, from: parsed(missing))
            Issue.record("a payment without its date was decoded")
        } catch DecodingError.keyNotFound(let key, _) {
            #expect(key.stringValue == "receivedOn")
        }
        let null = payment.replacingOccurrences(of: #""currency":"RUB""#, with: #""currency":null"#)
        do {
            _ = try JSONValueDecoder.decode(PaymentReceived.self, from: parsed(null))
            Issue.record("a null currency was decoded")
        } catch DecodingError.valueNotFound(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["currency"])
        }
    }

    /// An item that fails to decode as one type is still there to decode as another.
    @Test func aFailedItemCanBeReadAgainAsAnotherType() throws {
        struct Loose: Decodable, Equatable {
            let items: [String]
            init(items: [String]) { self.items = items }
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                var items: [String] = []
                while !container.isAtEnd {
                    if try container.decodeNil() {
                        items.append("null")
                    } else if let number = try? container.decode(Int.self) {
                        items.append("#\(number)")
                    } else {
                        items.append(try container.decode(String.self))
                    }
                }
                self.items = items
            }
        }
        #expect(
            try JSONValueDecoder.decode(Loose.self, from: parsed(#"["a", 2, null, "b"]"#))
                == Loose(items: ["a", "#2", "null", "b"]))
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(Loose.self, from: parsed(#"["a", true]"#)) }
    }

    @Test func optionalMembersMayBeAbsentOrNull() throws {
        struct Note: Decodable, Equatable {
            let text: String?
            let tags: [String]
        }
        #expect(try JSONValueDecoder.decode(Note.self, from: parsed(#"{"tags":[]}"#)) == Note(text: nil, tags: []))
        #expect(
            try JSONValueDecoder.decode(Note.self, from: parsed(#"{"text":null,"tags":["a"],"other":1}"#))
                == Note(text: nil, tags: ["a"]))
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(Note.self, from: parsed(#"{"tags":{}}"#)) }
    }
}
