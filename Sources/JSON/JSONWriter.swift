public import Foundation
import HexText

/// Writes JSON text straight into bytes: the one place where JSON is spelt out.
///
/// ``JSONValue/serialized()`` writes a whole value through it. A large answer (a board of
/// thousands of deals) writes its members one by one instead, so that no tree of values is built,
/// sorted and freed first. Output is compact (no insignificant whitespace); strings escape only
/// `"`, `\` and control characters (`/` and non-ASCII are written as they are). Commas are placed
/// by the writer. A caller that writes an object member by member writes the keys in the order
/// ``JSONValue/serialized()`` would, sorted by Unicode code point, so equal documents give equal
/// bytes whichever way they were written.
public struct JSONWriter: Sendable {
    /// The text written so far.
    public package(set) var bytes: [UInt8] = []
    /// Per open array or object: whether it has a member yet (the next one needs a comma).
    private var hasMember: [Bool] = []
    /// Whether the next value follows a key, so it takes no comma of its own.
    private var afterKey = false

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far as `Data`.
    public var data: Data { Data(bytes) }

    /// Opens an object: `{`.
    public mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        hasMember.append(false)
    }

    /// Closes the innermost object: `}`.
    public mutating func endObject() {
        hasMember.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens an array: `[`.
    public mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        hasMember.append(false)
    }

    /// Closes the innermost array: `]`.
    public mutating func endArray() {
        hasMember.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// The key of the next member of the innermost object.
    public mutating func key(_ name: String) {
        beginValue()
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A string.
    public mutating func string(_ text: String) {
        beginValue()
        writeString(text)
    }

    /// A string, or `null` when absent.
    public mutating func string(orNull text: String?) {
        if let text { string(text) } else { null() }
    }

    /// An integer number.
    public mutating func integer(_ number: some BinaryInteger) {
        beginValue()
        guard let value = Int64(exactly: number) else {
            bytes.append(contentsOf: String(number).utf8)
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        while magnitude >= 10 {
            magnitude /= 10
            digits += 1
        }
        appendDigits(value.magnitude, count: digits)
    }

    /// An id as a string in its lowercase canonical form.
    public mutating func uuid(_ id: UUID) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 36))
        bytes.withUnsafeMutableBufferPointer { buffer in
            _ = id.writeCanonical(to: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `null`.
    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A whole value; object members in the order of their keys' Unicode code points.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag):
            beginValue()
            bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            beginValue()
            bytes.append(contentsOf: number.literal.utf8)
        case .string(let text): string(text)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    /// The comma before any value but the first of its array or object (a member's comma comes
    /// before its key).
    package mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = hasMember.indices.last else { return }
        if hasMember[last] { bytes.append(UInt8(ascii: ",")) }
        hasMember[last] = true
    }

    /// The last `count` decimal digits of `value`, zero-padded.
    package mutating func appendDigits(_ value: UInt64, count: Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var rest = value
        var index = start + count - 1
        while index >= start {
            bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied at once.
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
                case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
                case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: #"\u00"#.utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
