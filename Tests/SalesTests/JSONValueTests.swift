import Foundation
import HexText
import JSON
import Testing

@testable import Sales

@Suite("JSON values")
struct JSONValueTests {
    private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONValue(parsing: Data(text.utf8))
    }

    @Test("reads every kind of value and keeps number literals")
    func reading() throws {
        let value = try parse(
            #" {"a": [1, -2.50, 1e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00", "c": {}} "#)
        #expect(
            value
                == .object([
                    "a": .array([
                        .number(JSONNumber(literal: "1")!), .number(JSONNumber(literal: "-2.50")!),
                        .number(JSONNumber(literal: "1e3")!),
                        .bool(true), .bool(false), .null,
                    ]),
                    "b": .string("x\"\\/\né😀"),
                    "c": .object([:]),
                ]))
    }

    @Test(
        "refuses malformed documents",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'a'", "01", "1.", ".5", "-", "+1", "1e", "tru", "nul",
            "\"unterminated", "\"bad \\x escape\"", "\"\\ud800\"", "\"\\udc00\"", "\"tab\there\"", "[1] [2]",
            "{\"a\":1,\"a\":2}",
            "NaN", "Infinity",
        ])
    func malformed(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try parse(text) }
    }

    @Test("refuses invalid UTF-8")
    func invalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data([0x22, 0xFF, 0x22])) }
    }

    @Test("refuses nesting deeper than the limit")
    func depth() throws {
        let deep =
            String(repeating: "[", count: JSONValue.maximumDepth + 1)
            + String(repeating: "]", count: JSONValue.maximumDepth + 1)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        let allowed =
            String(repeating: "[", count: JSONValue.maximumDepth)
            + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(throws: Never.self) { try parse(allowed) }
    }

    @Test("names the duplicate key and where it is")
    func duplicateKey() {
        #expect(throws: JSONSyntaxError(offset: 9, reason: "duplicate key \"a\"")) { try parse(#"{"a": 1, "a": 2}"#) }
    }

    @Test("writes compact JSON with keys in code-point order")
    func serialization() throws {
        let value = JSONValue.object([
            "b": .integer(2), "a": .string("é/\"\\\n\u{01}"), "B": .array([.null, .bool(true)]), "aa": .object([:]),
        ])
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(text == #"{"B":[null,true],"a":"é/\"\\\n\u0001","aa":{},"b":2}"#)
        #expect(try parse(text) == value)
    }

    @Test("writes member by member exactly what a whole value serializes to")
    func writerMatchesSerialization() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("B")
        writer.beginArray()
        writer.null()
        writer.value(.bool(true))
        writer.beginArray()
        writer.endArray()
        writer.beginObject()
        writer.key("x")
        writer.integer(-1)
        writer.endObject()
        writer.endArray()
        writer.key("a")
        writer.string("é/\"\\\n\u{01}")
        writer.key("aa")
        writer.beginObject()
        writer.endObject()
        writer.key("b")
        writer.string(orNull: nil)
        writer.key("c")
        writer.value(.object(["z": .integer(1), "y": .array([.string("q"), .integer(2)])]))
        writer.endObject()
        let value = JSONValue.object([
            "B": .array([.null, .bool(true), .array([]), .object(["x": .integer(-1)])]),
            "a": .string("é/\"\\\n\u{01}"), "aa": .object([:]), "b": .null,
            "c": .object(["z": .integer(1), "y": .array([.string("q"), .integer(2)])]),
        ])
        #expect(writer.data == value.serialized())
        #expect(try parse(String(decoding: writer.data, as: UTF8.self)) == value)
    }

    @Test("writes integers, ids and dates as their JSON values would be")
    func writerTypedValues() throws {
        let id = UUID(uuidString: "0A1B2C3D-4E5F-4a6b-8c7d-9e0f1a2b3c4d")!
        var writer = JSONWriter()
        writer.beginArray()
        for number: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min] { writer.integer(number) }
        writer.integer(UInt64.max)
        writer.uuid(id)
        writer.date(LocalDate("0001-02-03"))
        writer.date(LocalDate("2026-12-31"))
        writer.date(nil)
        writer.endArray()
        let value = JSONValue.array(
            [0, 7, -7, 10, 1_000_000, Int64.max, Int64.min].map { JSONValue.integer($0) }
                + [.integer(UInt64.max), .string(id.canonical), .string("0001-02-03"), .string("2026-12-31"), .null])
        #expect(writer.data == value.serialized())
        #expect(String(decoding: writer.data, as: UTF8.self).contains(#""0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d""#))
    }

    @Test("tells integers from fractions and 64-bit values from larger ones")
    func numbers() {
        #expect(JSONNumber(literal: "9223372036854775807")?.int64Value == .max)
        #expect(JSONNumber(literal: "9223372036854775808")?.int64Value == nil)
        #expect(JSONNumber(literal: "1.0")?.isInteger == false)
        #expect(JSONNumber(literal: "1E3")?.isInteger == false)
        #expect(JSONNumber(literal: "-0")?.isInteger == true)
        #expect(JSONNumber(literal: "0x10") == nil)
        #expect(JSONNumber(literal: "00") == nil)
    }

    @Test("encodes through JSONEncoder, wide integers included")
    func encodable() throws {
        let value = JSONValue.object([
            "big": .integer(Int128(Int64.max) * 2), "n": .null, "list": .array([.integer(1)]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(text == #"{"big":18446744073709551614,"list":[1],"n":null}"#)
    }
}
