import Foundation
import JSON

/// Reads the members of one JSON object for a command, collecting every problem instead of
/// stopping at the first, and remembering which keys were read so that any other key can be
/// refused as unknown (a serious API catches typos).
///
/// The pattern of every `parse`: read each field (a failed read yields nil and records an error),
/// call `rejectUnknownKeys()`, then `guard let … , fields.errors.isEmpty else { throw fields.failure }`.
struct CommandFields {
    /// The name of the whole body in errors when it is not an object.
    static let bodyField = "body"

    private let members: [String: JSONValue]
    private let path: String
    private var readKeys: Set<String> = []
    private(set) var errors: [FieldError] = []

    /// The fields of `value`, whose errors are named under `path` (empty for a request body).
    init(_ value: JSONValue, path: String = "") {
        self.path = path
        if let members = value.objectValue {
            self.members = members
        } else {
            self.members = [:]
            errors.append(
                FieldError(field: path.isEmpty ? CommandFields.bodyField : path, message: "must be a JSON object"))
        }
    }

    /// The refusal listing every error recorded so far.
    var failure: ValidationFailure {
        ValidationFailure(errors: errors)
    }

    /// The name of `key` in errors.
    func fieldName(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// A field that must be present and not `null`.
    mutating func required<Value>(_ key: String, _ format: FieldFormat<Value>) -> Value? {
        readKeys.insert(key)
        guard let value = members[key], value != .null else {
            errors.append(FieldError(field: fieldName(key), message: "is required"))
            return nil
        }
        return format.read(value, fieldName(key), &errors)
    }

    /// A field that may be absent; `null` counts as absent.
    mutating func optional<Value>(_ key: String, _ format: FieldFormat<Value>) -> Value? {
        readKeys.insert(key)
        guard let value = members[key], value != .null else { return nil }
        return format.read(value, fieldName(key), &errors)
    }

    /// An entity id the client may choose; when absent (or `null`) a fresh one from `makeID`.
    /// Nil only when the given value is not a UUID.
    mutating func identifier(_ key: String, default makeID: () -> UUID) -> UUID? {
        readKeys.insert(key)
        guard let value = members[key], value != .null else { return makeID() }
        return FieldFormat.uuid.read(value, fieldName(key), &errors)
    }

    /// Records an error for every key that no read asked for.
    mutating func rejectUnknownKeys() {
        for key in members.keys.filter({ !readKeys.contains($0) }).sorted() {
            errors.append(FieldError(field: fieldName(key), message: "is not a field of this command"))
        }
    }
}
