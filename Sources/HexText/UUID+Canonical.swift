public import Foundation

extension UUID {
    /// The lowercase canonical form, `8-4-4-4-12` hex digits: how every id is written in events,
    /// stream ids and answers.
    public var canonical: String {
        String(unsafeUninitializedCapacity: 36) { writeCanonical(to: $0) }
    }

    /// Writes the canonical form's 36 bytes at the start of `text` (at least that long) and
    /// answers 36.
    package func writeCanonical(to text: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { bytes in
            var position = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                text[position] = digits.utf8Start[Int(byte >> 4)]
                text[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
