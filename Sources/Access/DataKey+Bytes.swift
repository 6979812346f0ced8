import Crypto

extension DataKey {
    /// The 32 bytes of an unwrapped data key as a plain value: kept in memory for thousands of
    /// clients without an allocation each, and made a `SymmetricKey` only to open or seal.
    struct Bytes: Sendable, Hashable {
        let bits: SIMD32<UInt8>

        /// The bytes of `key`, nil unless it is 256 bits long.
        init?(_ key: SymmetricKey) {
            guard key.bitCount == 256 else { return nil }
            var bits = SIMD32<UInt8>()
            key.withUnsafeBytes { source in withUnsafeMutableBytes(of: &bits) { $0.copyMemory(from: source) } }
            self.bits = bits
        }

        /// The key these bytes are.
        var key: SymmetricKey {
            withUnsafeBytes(of: bits) { SymmetricKey(data: $0) }
        }
    }
}
