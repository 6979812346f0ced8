public import Foundation
import HexText

/// A personal value as the log and the read models store it:
/// `ts:pd1:<data key id>:<base64 of nonce, ciphertext and tag>` (AES-256-GCM).
///
/// Every personal field is sealed before it is appended, so a stored personal value is always in
/// this form; SQL copies it as opaque text, and only a process holding the client's data key can
/// open it. Once the key is deleted, no one can.
public struct SealedText: Sendable, Equatable {
    /// What every sealed value starts with.
    public static let prefix = "ts:pd1:"

    /// The data key that sealed it.
    public let keyID: UUID
    /// Nonce, ciphertext and tag.
    let combined: Data

    /// The sealed value `text`, or nil when `text` is not in the sealed form.
    public init?(_ text: String) {
        guard let id = Self.keyID(of: text),
            let combined = Data(base64Encoded: String(Substring(text.utf8.dropFirst(Self.prefix.utf8.count + 37))))
        else { return nil }
        keyID = id
        self.combined = combined
    }

    init(keyID: UUID, combined: Data) {
        self.keyID = keyID
        self.combined = combined
    }

    /// The stored form.
    public var text: String {
        Self.prefix + keyID.uuidString.lowercased() + ":" + combined.base64EncodedString()
    }

    /// The id of the data key that sealed `text`, read from its prefix alone (the rest is not
    /// decoded); nil when `text` does not start as a sealed value does.
    public static func keyID(of text: String) -> UUID? {
        // Read in place: a board opens thousands of values, and a String per id adds up.
        if let id = text.utf8.withContiguousStorageIfAvailable({ keyID(ofUTF8: $0) }) { return id }
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { keyID(ofUTF8: $0) } ?? nil
    }

    /// The key id of the sealed text whose UTF-8 bytes are `bytes`.
    private static func keyID(ofUTF8 bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        let start = prefixUTF8.count
        guard bytes.count > start + 37, bytes[start + 36] == UInt8(ascii: ":"), bytes.starts(with: prefixUTF8) else {
            return nil
        }
        return UUID(hexText: UnsafeBufferPointer(rebasing: bytes[start..<start + 36]))
    }

    /// ``prefix`` as UTF-8 bytes.
    private static let prefixUTF8 = Array(prefix.utf8)

    /// Whether `text` is in the sealed form (a cheap check of its prefix).
    public static func isSealed(_ text: String) -> Bool {
        text.hasPrefix(prefix)
    }
}
