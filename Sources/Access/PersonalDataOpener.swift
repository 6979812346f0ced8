import Crypto
public import Foundation
public import JSON

/// Opens sealed personal values with the data keys that were loaded for them (see
/// ``PersonalDataKeys/opener(for:on:)``). A value whose key is not among them has been erased: it
/// reads as `nil` and is reported in `erasedFields`.
public struct PersonalDataOpener: Sendable {
    /// The bytes of the data keys read for this opener, by id (a `SymmetricKey` is made from them
    /// only for a value that is not opened yet).
    let keys: [UUID: DataKey.Bytes]
    /// The values this process opened before, given back only for a key in ``keys``.
    let opened: OpenedValues?

    init(keys: [UUID: DataKey.Bytes], opened: OpenedValues? = nil) {
        self.keys = keys
        self.opened = opened
    }

    /// An opener with no keys: every sealed value reads as erased.
    public static let none = PersonalDataOpener(keys: [:])

    /// One stored personal value, opened.
    public struct Opened: Sendable, Equatable {
        /// The plaintext, or nil when there was none or it was erased.
        public let text: String?
        /// Whether there was a value and it was erased.
        public let erased: Bool

        /// A value opened to `text`, or erased.
        public init(text: String?, erased: Bool) {
            self.text = text
            self.erased = erased
        }
    }

    /// Opens `stored`: nil stays nil, a sealed value opens to its plaintext or, when its key was
    /// deleted, to an erased nil. A value not in the sealed form is returned as it is (a value
    /// that was never personal data, such as an empty string).
    /// - Throws: ``PersonalDataError`` when the key is there but the value does not open.
    public func open(_ stored: String?) throws(PersonalDataError) -> Opened {
        guard let stored else { return Opened(text: nil, erased: false) }
        // A value opened before names its key without the text being parsed again.
        if let kept = opened?.value(of: stored) {
            return keys[kept.keyID] == nil ? Opened(text: nil, erased: true) : Opened(text: kept.text, erased: false)
        }
        guard let keyID = SealedText.keyID(of: stored) else { return Opened(text: stored, erased: false) }
        guard let key = keys[keyID] else { return Opened(text: nil, erased: true) }
        guard let sealed = SealedText(stored), let box = try? AES.GCM.SealedBox(combined: sealed.combined),
            let bytes = try? AES.GCM.open(box, using: key.key),
            let text = String(validating: bytes, as: UTF8.self)
        else { throw PersonalDataError(keyID: keyID.uuidString.lowercased()) }
        opened?.keep(text, of: stored, keyID: keyID)
        return Opened(text: text, erased: false)
    }

    /// `payload` with each sealed string in `personalFields` opened, or `null` where it was erased,
    /// and the names of the erased fields, sorted.
    public func open(
        _ payload: JSONValue, personalFields: Set<String>
    ) throws(PersonalDataError)
        -> (payload: JSONValue, erasedFields: [String])
    {
        guard !personalFields.isEmpty, var members = payload.objectValue else { return (payload, []) }
        var erased: [String] = []
        var changed = false
        for field in personalFields {
            guard case .string(let text)? = members[field], SealedText.isSealed(text) else { continue }
            let opened = try open(text)
            members[field] = opened.text.map(JSONValue.string) ?? .null
            if opened.erased { erased.append(field) }
            changed = true
        }
        return (changed ? .object(members) : payload, erased.sorted())
    }

    /// The key ids that `texts` name, for loading their keys.
    public static func keyIDs(in texts: some Sequence<String?>) -> Set<UUID> {
        var ids = Set<UUID>()
        for case let text? in texts {
            if let id = SealedText.keyID(of: text) { ids.insert(id) }
        }
        return ids
    }
}
