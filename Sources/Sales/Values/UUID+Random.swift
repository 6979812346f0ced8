public import Foundation

extension UUID {
    /// A random UUID (version 4, RFC 9562) from the system's random source, asked directly:
    /// Foundation's `UUID()` opens and reads the random device on every call on Linux, which an
    /// import of tens of thousands of lines, each making an id, pays for.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var words = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &words) { bytes in
            bytes[6] = 0x40 | (bytes[6] & 0x0F)  // version 4
            bytes[8] = 0x80 | (bytes[8] & 0x3F)  // variant 10
            return UUID(uuid: bytes.load(as: uuid_t.self))
        }
    }
}
