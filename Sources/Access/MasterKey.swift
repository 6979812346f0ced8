import Crypto
import Foundation

/// The key-encryption key that wraps every client's data key (AES-256-GCM).
///
/// It is given to the process, never stored in the database: as base64 of 32 bytes in an
/// environment variable (`TOUCHSTONE_MASTER_KEY`) or in a file that another variable names
/// (`TOUCHSTONE_MASTER_KEY_FILE`). Its `fingerprint` is stored beside each data key it wraps, so a
/// process can tell which master key a row needs without trying them.
public struct MasterKey: Sendable {
    // SymmetricKey is an immutable value (swift-crypto does not mark it Sendable yet).
    nonisolated(unsafe) let key: SymmetricKey
    /// A public name of the key: the first 8 bytes of HMAC-SHA256(key, "touchstone master key"),
    /// in hex. It tells keys apart; it reveals nothing of the key.
    public let fingerprint: String

    /// The key in `base64` (32 bytes); `variable` is named in the error.
    public init(base64 text: String, variable: String) throws(MasterKeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: trimmed), bytes.count == 32 else {
            throw .malformed(variable: variable)
        }
        self.init(key: SymmetricKey(data: bytes))
    }

    init(key: SymmetricKey) {
        self.key = key
        let code = HMAC<SHA256>.authenticationCode(for: Data("touchstone master key".utf8), using: key)
        fingerprint = code.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random master key (for `touchstone keys generate`, `make run` and tests).
    public static func random() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    /// The key as base64, the form the variable takes.
    public var base64: String {
        key.withUnsafeBytes { Data($0) }.base64EncodedString()
    }

    /// `dataKey` sealed under this key, bound to its id: base64 of nonce, ciphertext and tag.
    func wrap(_ dataKey: SymmetricKey, id: UUID) -> String {
        let bytes = dataKey.withUnsafeBytes { Data($0) }
        // Sealing with a fresh random nonce cannot fail for a 256-bit key.
        let box = try! AES.GCM.seal(bytes, using: key, authenticating: Self.binding(id))
        return box.combined!.base64EncodedString()
    }

    /// The data key `id` that `wrapped` holds.
    func unwrap(_ wrapped: String, id: UUID) throws(MasterKeyError) -> SymmetricKey {
        guard let combined = Data(base64Encoded: wrapped),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let bytes = try? AES.GCM.open(box, using: key, authenticating: Self.binding(id)), bytes.count == 32
        else { throw .unwrapFailed(keyID: id.uuidString.lowercased()) }
        return SymmetricKey(data: bytes)
    }

    private static func binding(_ id: UUID) -> Data {
        withUnsafeBytes(of: id.uuid) { Data($0) }
    }
}
