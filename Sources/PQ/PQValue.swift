public import Foundation
import HexText

/// A Swift value that can be bound as a statement parameter, in PostgreSQL's
/// text format.
public protocol PQEncodable: Sendable {
    /// The value in PostgreSQL's text input format.
    var pqText: String { get }
}

/// A Swift value that can be decoded from a result column in text format.
public protocol PQDecodable {
    /// Decodes from PostgreSQL's text output format; throws on a malformed value.
    init(pqText: String) throws
}

extension String: PQEncodable, PQDecodable {
    public var pqText: String { self }
    public init(pqText: String) { self = pqText }
}

extension Int: PQEncodable, PQDecodable {
    public var pqText: String { String(self) }
    public init(pqText: String) throws { self = try decodeInteger(pqText) }
}

extension Int64: PQEncodable, PQDecodable {
    public var pqText: String { String(self) }
    public init(pqText: String) throws { self = try decodeInteger(pqText) }
}

extension Int32: PQEncodable, PQDecodable {
    public var pqText: String { String(self) }
    public init(pqText: String) throws { self = try decodeInteger(pqText) }
}

extension Double: PQEncodable, PQDecodable {
    public var pqText: String { "\(self)" }
    public init(pqText: String) throws {
        guard let value = Double(pqText) else { throw decodingError(pqText, "double") }
        self = value
    }
}

extension Bool: PQEncodable, PQDecodable {
    public var pqText: String { self ? "t" : "f" }
    public init(pqText: String) throws {
        switch pqText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(pqText, "bool")
        }
    }
}

extension UUID: PQEncodable, PQDecodable {
    public var pqText: String { uuidString.lowercased() }
    /// PostgreSQL writes a `uuid` as 36 lowercase characters, `8-4-4-4-12` hex digits; read
    /// directly (reports decode tens of thousands per answer).
    public init(pqText: String) throws {
        guard let value = UUID(hexText: pqText) else { throw decodingError(pqText, "uuid") }
        self = value
    }
}

extension Data: PQEncodable, PQDecodable {
    /// `bytea` in hex format.
    public var pqText: String {
        var text = "\\x"
        text.reserveCapacity(2 + count * 2)
        let digits = Array("0123456789abcdef")
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }

    public init(pqText: String) throws {
        guard pqText.hasPrefix("\\x") else { throw decodingError(pqText, "bytea") }
        let hex = Array(pqText.utf8.dropFirst(2))
        guard hex.count % 2 == 0 else { throw decodingError(pqText, "bytea") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.count / 2)
        var index = 0
        while index < hex.count {
            guard let high = hexDigit(hex[index]), let low = hexDigit(hex[index + 1]) else {
                throw decodingError(pqText, "bytea")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        self = Data(bytes)
    }
}

/// A PostgreSQL array literal (`{a,b}`) of any encodable element; bind it with a
/// cast such as `\(ids)::uuid[]`.
extension Array: PQEncodable where Element: PQEncodable {
    /// Every element double-quoted, `"` and `\` escaped, written into one buffer.
    public var pqText: String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.pqText.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

private func decodeInteger<T: FixedWidthInteger>(_ text: String) throws -> T {
    guard let value = T(text) else { throw decodingError(text, "\(T.self)") }
    return value
}

func decodingError(_ text: String, _ type: String) -> PQError {
    PQError(kind: .decoding, message: "cannot decode \(text.prefix(40)) as \(type)")
}
