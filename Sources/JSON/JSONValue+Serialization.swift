public import Foundation

extension JSONValue {
    /// Compact, deterministic JSON: object keys sorted by Unicode code point, no insignificant
    /// whitespace, numbers as their literal, strings escaping only `"`, `\` and control characters
    /// (`/` and non-ASCII are written as they are). Equal values always give equal bytes.
    public func serialized() -> Data {
        var writer = JSONWriter()
        writer.value(self)
        return writer.data
    }
}
