public import JSON

/// Turns the payload of one event type from one schema version into the next
/// (`fromVersion` → `fromVersion + 1`), so that events written by older code are read by newer
/// code. A payload is upcast step by step on read; the log itself is never rewritten.
public struct Upcaster: Sendable {
    /// The event type name it applies to.
    public let type: String
    /// The version it reads; it writes `fromVersion + 1`.
    public let fromVersion: Int
    /// The transformation of the JSON payload; throwing refuses the payload.
    public let upcast: @Sendable (JSONValue) throws -> JSONValue

    /// An upcaster of `type` payloads from `fromVersion` to `fromVersion + 1`.
    public init(type: String, fromVersion: Int, upcast: @escaping @Sendable (JSONValue) throws -> JSONValue) {
        self.type = type
        self.fromVersion = fromVersion
        self.upcast = upcast
    }
}
