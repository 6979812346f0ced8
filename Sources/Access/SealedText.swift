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
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.utf8.dropFirst(prefix.utf8.count)
        guard rest.count > 37, rest[rest.index(rest.startIndex, offsetBy: 36)] == UInt8(ascii: ":") else { return nil }
        return UUID(hexText: String(Substring(rest.prefix(36))))
    }

    /// Whether `text` is in the sealed form (a cheap check of its prefix).
    public static func isSealed(_ text: String) -> Bool {
        text.hasPrefix(prefix)
    }
}
