/// A JSON number kept exactly as written (RFC 8259 grammar), so that validation can tell an
/// integer `150000` from `1.5`, `1e3` or a value beyond 64 bits, which a `Double` would blur.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal, e.g. `-12`, `1.50`, `1e3`.
    public let literal: String

    /// The number spelt by `literal`, or nil when it is not an RFC 8259 number.
    public init?(literal: String) {
        guard JSONNumber.isValid(Array(literal.utf8)) else { return nil }
        self.literal = literal
    }

    /// An integer.
    public init(_ value: some BinaryInteger) {
        literal = String(value)
    }

    /// True when the literal has no fraction and no exponent (`-0` and `42`, not `1.0` or `1e3`).
    public var isInteger: Bool {
        !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
    }

    /// The value as an `Int64` when the literal is an integer within 64 bits.
    public var int64Value: Int64? {
        isInteger ? Int64(literal) : nil
    }

    /// The literal.
    public var description: String { literal }

    /// RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }
}
