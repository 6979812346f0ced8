import Crypto
public import Foundation
public import JSON

/// One client's data key: it seals that client's personal values (AES-256-GCM, a random nonce per
/// value). The key itself is stored only wrapped by the master key, in `personal_data_keys`;
/// erasing the client deletes that row, and every value it sealed becomes unreadable.
public struct DataKey: Sendable {
    /// The key's id, named in every value it seals.
    public let id: UUID
    // SymmetricKey is an immutable value (swift-crypto does not mark it Sendable yet).
    nonisolated(unsafe) let key: SymmetricKey

    init(id: UUID, key: SymmetricKey) {
        self.id = id
        self.key = key
    }

    /// `plaintext` in the sealed form (``SealedText``).
    public func seal(_ plaintext: String) -> String {
        // Sealing with a fresh random nonce cannot fail for a 256-bit key.
        let box = try! AES.GCM.seal(Data(plaintext.utf8), using: key)
        return SealedText(keyID: id, combined: box.combined!).text
    }

    /// `payload` with every string in one of `personalFields` sealed; other members unchanged.
    public func seal(_ payload: JSONValue, personalFields: Set<String>) -> JSONValue {
        guard !personalFields.isEmpty, var members = payload.objectValue else { return payload }
        var sealedAny = false
        for field in personalFields {
            guard case .string(let text)? = members[field] else { continue }
            members[field] = .string(seal(text))
            sealedAny = true
        }
        return sealedAny ? .object(members) : payload
    }
}
