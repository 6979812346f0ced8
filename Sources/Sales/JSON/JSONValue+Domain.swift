import Foundation
import HexText
import JSON

/// The JSON spelling of the domain's values inside payloads.
extension UUID {
    /// The lowercase canonical string.
    var json: JSONValue { .string(canonical) }
}

extension LocalDate {
    /// `"YYYY-MM-DD"`.
    var json: JSONValue { .string(description) }
}

extension Instant {
    /// RFC 3339 in UTC.
    var json: JSONValue { .string(description) }
}

extension Currency {
    /// The alphabetic code.
    var json: JSONValue { .string(code) }
}

extension RawRepresentable where RawValue == String {
    /// The raw value.
    var json: JSONValue { .string(rawValue) }
}
