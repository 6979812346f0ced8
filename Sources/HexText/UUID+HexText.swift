public import Foundation

extension UUID {
    /// A UUID read from its `8-4-4-4-12` text (36 characters, hex digits in either case), or nil.
    ///
    /// Foundation's `UUID(uuidString:)` goes through `sscanf`; ids are read by the ten thousand
    /// in reports and histories, so they are read here digit by digit, straight from the string's
    /// UTF-8. What both the PostgreSQL client (`uuid` columns) and the payload decoder (ids in
    /// events) use.
    public init?(hexText: String) {
        let read = hexText.utf8.withContiguousStorageIfAvailable { UUID.read($0) } ?? UUID.read(Array(hexText.utf8))
        guard let read else { return nil }
        self.init(uuid: read)
    }

    /// Reads the 36 UTF-8 bytes of `hexText` in the canonical form, `nil` for any other.
    public init?(hexText: UnsafeBufferPointer<UInt8>) {
        guard let read = UUID.read(hexText) else { return nil }
        self.init(uuid: read)
    }

    private static func read(_ text: some RandomAccessCollection<UInt8>) -> uuid_t? {
        guard text.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var offset = text.startIndex
        var invalid: UInt8 = 0
        withUnsafeMutableBytes(of: &bytes) { target in
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    invalid |= text[offset] == UInt8(ascii: "-") ? 0 : 0x10
                    offset = text.index(after: offset)
                }
                let high = nibble(text[offset])
                offset = text.index(after: offset)
                let low = nibble(text[offset])
                offset = text.index(after: offset)
                invalid |= high | low
                target[index] = high << 4 | low & 0x0F
            }
        }
        return invalid & 0xF0 == 0 ? bytes : nil
    }
}

/// The value of one hex digit, either case; nil for any other byte.
public func hexDigit(_ byte: UInt8) -> UInt8? {
    let value = nibble(byte)
    return value < 0x10 ? value : nil
}

/// The value of a hex digit, or 0x10 for any other byte (so several can be checked at once).
/// Without branches: digits and letters alternate at random in ids, and a mispredicted branch per
/// digit cost more than the rest of the reading.
@inline(__always)
private func nibble(_ byte: UInt8) -> UInt8 {
    // '0'…'9' are 0x30…0x39, 'A'…'F' 0x41…0x46 and 'a'…'f' 0x61…0x66: the low four bits, plus 9
    // for a letter (bit 6 set). A byte that is neither gets bit 4.
    let value = (byte & 0x0F) &+ 9 &* (byte >> 6 & 1)
    let notDigit: UInt8 = byte &- UInt8(ascii: "0") >= 10 ? 1 : 0
    let notLetter: UInt8 = (byte | 0x20) &- UInt8(ascii: "a") >= 6 ? 1 : 0
    return value | (notDigit & notLetter) << 4
}
