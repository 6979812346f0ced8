public import Foundation

extension JSONValue {
    /// The deepest nesting of arrays and objects accepted, so that hostile input cannot exhaust
    /// the stack.
    public static let maximumDepth = 128

    /// Parses one JSON document (RFC 8259, UTF-8, surrounding whitespace allowed). Stricter than
    /// `JSONSerialization` where it matters for an API: duplicate object keys, invalid UTF-8, lone
    /// surrogate escapes and nesting deeper than `maximumDepth` are refused.
    public init(parsing data: Data) throws(JSONSyntaxError) {
        var scanner = JSONScanner(bytes: Array(data))
        scanner.skipWhitespace()
        let value = try scanner.value(depth: 0)
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected content after the document") }
        self = value
    }
}

/// A recursive-descent reader over the bytes of one JSON document.
private struct JSONScanner {
    /// The bytes a number literal may contain; `JSONNumber` checks their order.
    static let numberBytes: Set<UInt8> = Set("+-.eE0123456789".utf8)

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index >= bytes.count }

    func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard !isAtEnd else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("invalid literal")
        }
        index += expected.count
    }

    mutating func number() throws(JSONSyntaxError) -> JSONNumber {
        let start = index
        while index < bytes.count, JSONScanner.numberBytes.contains(bytes[index]) { index += 1 }
        guard index > start, let number = JSONNumber(literal: String(decoding: bytes[start..<index], as: UTF8.self))
        else {
            index = start
            throw error("invalid value")
        }
        return number
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("nesting too deep") }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if !isAtEnd, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth))
            skipWhitespace()
            guard !isAtEnd else { throw error("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("nesting too deep") }
        index += 1
        // Room for a payload's or a command's members from the start: growing one key at a time
        // rehashed every member several times over.
        var members = [String: JSONValue](minimumCapacity: 12)
        skipWhitespace()
        if !isAtEnd, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard !isAtEnd, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = index
            let key = try string()
            guard members[key] == nil else {
                throw JSONSyntaxError(offset: keyOffset, reason: "duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard !isAtEnd, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members[key] = try value(depth: depth)
            skipWhitespace()
            guard !isAtEnd else { throw error("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    /// A string starting at the opening quote; escapes decoded, UTF-8 validated. Runs of plain
    /// bytes are taken whole, and a string of ASCII without escapes (most keys and values) needs
    /// neither a copy of its own nor validation.
    mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        var utf8: [UInt8] = []
        var isASCII = true
        while true {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                guard byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 else { break }
                isASCII = isASCII && byte < 0x80
                index += 1
            }
            guard !isAtEnd else { throw error("unterminated string") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                if utf8.isEmpty, isASCII { return String(decoding: bytes[start..<index - 1], as: UTF8.self) }
                utf8.append(contentsOf: bytes[start..<index - 1])
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string")
                }
                return text
            case UInt8(ascii: "\\"):
                utf8.append(contentsOf: bytes[start..<index])
                index += 1
                utf8.append(contentsOf: try escape())
                isASCII = false
            default:
                throw error("unescaped control character in string")
            }
        }
    }

    /// The UTF-8 bytes of one escape sequence, starting after the backslash.
    mutating func escape() throws(JSONSyntaxError) -> [UInt8] {
        guard !isAtEnd else { throw error("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "u"):
            var scalarValue = try hexQuad()
            if (0xD800..<0xDC00).contains(scalarValue) {
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("lone surrogate escape") }
                index += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw error("lone surrogate escape") }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw error("lone surrogate escape") }
            return Array(String(Character(scalar)).utf8)
        default:
            throw error("invalid escape")
        }
    }

    mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }
}
