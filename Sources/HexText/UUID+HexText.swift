import Foundation

extension UUID {
    /// A UUID read from its `8-4-4-4-12` text (36 characters, hex digits in either case), or nil.
    ///
    /// Foundation's `UUID(uuidString:)` goes through `sscanf`; ids are read by the ten thousand
    /// in reports and histories, so they are read here digit by digit. What both the PostgreSQL
    /// client (`uuid` columns) and the payload decoder (ids in events) use.
    public init?(hexText: String) {
        var text = hexText
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = text.withUTF8 { utf8 in
            withUnsafeMutableBytes(of: &bytes) { target in
                guard utf8.count == 36 else { return false }
                var offset = 0
                for index in 0..<16 {
                    if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                        guard utf8[offset] == UInt8(ascii: "-") else { return false }
                        offset += 1
                    }
                    guard let high = hexDigit(utf8[offset]), let low = hexDigit(utf8[offset + 1]) else { return false }
                    target[index] = high << 4 | low
                    offset += 2
                }
                return true
            }
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }
}

/// The value of one hex digit, either case; nil for any other byte.
public func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
