import Foundation

/// A JSON document as a value: what command bodies are validated from and what event payloads
/// are written as. Numbers keep their literal (`JSONNumber`); objects are unordered and their keys
/// unique (the parser refuses duplicates).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An integer number.
    public static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(JSONNumber(value))
    }

    /// A string, or `null` when absent.
    public static func string(orNull text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    /// An object built from optional members: a nil member is left out, as optional payload
    /// fields are omitted (never `null`) in the log.
    public static func object(omittingNil members: KeyValuePairs<String, JSONValue?>) -> JSONValue {
        var object = [String: JSONValue](minimumCapacity: members.count)
        for case (let key, let value?) in members { object[key] = value }
        return .object(object)
    }

    /// The members when this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The string when this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }
}
