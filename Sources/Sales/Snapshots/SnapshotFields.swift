import Foundation
import JSON

/// The members of one JSON object of a snapshot, read with the types the deciders' states hold;
/// every accessor throws ``SnapshotDecodingError`` naming the member that is missing or malformed.
struct SnapshotFields {
    let members: [String: JSONValue]

    /// The members of `value`, which must be an object.
    init(_ value: JSONValue, _ what: String) throws(SnapshotDecodingError) {
        guard let members = value.objectValue else { throw SnapshotDecodingError("\(what) is not an object") }
        self.members = members
    }

    /// The member `key`, nil when absent or `null`.
    func optional(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(SnapshotDecodingError) -> String {
        guard let text = optional(key)?.stringValue else { throw SnapshotDecodingError("\(key) is not a string") }
        return text
    }

    func optionalUUID(_ key: String) throws(SnapshotDecodingError) -> UUID? {
        guard let value = optional(key) else { return nil }
        return try Self.uuid(value, key)
    }

    func uuid(_ key: String) throws(SnapshotDecodingError) -> UUID {
        try Self.uuid(members[key] ?? .null, key)
    }

    func optionalDate(_ key: String) throws(SnapshotDecodingError) -> LocalDate? {
        guard let value = optional(key) else { return nil }
        guard let text = value.stringValue, let date = LocalDate(text) else {
            throw SnapshotDecodingError("\(key) is not a date")
        }
        return date
    }

    func date(_ key: String) throws(SnapshotDecodingError) -> LocalDate {
        guard let date = try optionalDate(key) else { throw SnapshotDecodingError("\(key) is missing") }
        return date
    }

    func bool(_ key: String) throws(SnapshotDecodingError) -> Bool {
        guard case .bool(let flag)? = members[key] else { throw SnapshotDecodingError("\(key) is not a boolean") }
        return flag
    }

    /// A whole number written as a JSON number (Int64) or, beyond 64 bits, as its decimal text.
    func integer(_ key: String) throws(SnapshotDecodingError) -> Int128 {
        try Self.integer(members[key] ?? .null, key)
    }

    func array(_ key: String) throws(SnapshotDecodingError) -> [JSONValue] {
        guard case .array(let items)? = members[key] else { throw SnapshotDecodingError("\(key) is not an array") }
        return items
    }

    /// A set of ids written by ``list(_:)``.
    func uuidSet(_ key: String) throws(SnapshotDecodingError) -> Set<UUID> {
        guard let text = optional(key)?.stringValue, let bytes = Data(base64Encoded: text), bytes.count % 16 == 0 else {
            throw SnapshotDecodingError("\(key) is not base64 of 16-byte ids")
        }
        var ids = Set<UUID>(minimumCapacity: bytes.count / 16)
        bytes.withUnsafeBytes { raw in
            for offset in stride(from: 0, to: raw.count, by: 16) {
                ids.insert(UUID(uuid: raw.loadUnaligned(fromByteOffset: offset, as: uuid_t.self)))
            }
        }
        return ids
    }

    /// A payload of `Payload` stored by ``SnapshotFields/payload(_:)``.
    func payload<Payload: SalesEventPayload>(
        _ key: String, as type: Payload.Type
    ) throws(SnapshotDecodingError) -> Payload {
        do {
            return try (members[key] ?? .null).decoded(as: Payload.self)
        } catch {
            throw SnapshotDecodingError("\(key) is not a \(Payload.eventType) payload")
        }
    }

    static func uuid(_ value: JSONValue, _ key: String) throws(SnapshotDecodingError) -> UUID {
        guard let text = value.stringValue, let id = UUID(uuidString: text) else {
            throw SnapshotDecodingError("\(key) holds something that is not a UUID")
        }
        return id
    }

    static func integer(_ value: JSONValue, _ key: String) throws(SnapshotDecodingError) -> Int128 {
        switch value {
        case .number(let number):
            if let whole = Int128(number.literal) { return whole }
        case .string(let text):
            if let whole = Int128(text) { return whole }
        default:
            break
        }
        throw SnapshotDecodingError("\(key) is not a whole number")
    }

    /// `ids` as one base64 string of their 16 bytes each: a long stream's ids (a client's
    /// touches) read back without parsing a string per id.
    static func list(_ ids: Set<UUID>) -> JSONValue {
        var bytes = Data(capacity: ids.count * 16)
        for id in ids { withUnsafeBytes(of: id.uuid) { bytes.append(contentsOf: $0) } }
        return .string(bytes.base64EncodedString())
    }

    /// `value` as JSON: a number when it fits 64 bits, else its decimal text.
    static func integer(_ value: Int128) -> JSONValue {
        Int64(exactly: value).map { .integer($0) } ?? .string(String(value))
    }

    /// `payload`'s JSON with its personal fields blanked (set to "" when required, left out
    /// otherwise): a snapshot never holds a personal value.
    static func payload(_ payload: some SalesEventPayload) -> JSONValue {
        guard var members = payload.json.objectValue else { return payload.json }
        let type = type(of: payload)
        for field in type.personalFields {
            members[field] = type.requiredPersonalFields.contains(field) ? .string("") : nil
        }
        return .object(members)
    }
}
