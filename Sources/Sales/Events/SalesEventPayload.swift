public import JSON

/// The payload of one type of event of `docs/events.md`: a `Codable` struct with exactly the
/// catalogue's keys, a stable type name and a schema version.
///
/// Encoding goes through `json` (lowercase UUIDs, dates `YYYY-MM-DD`, instants RFC 3339 UTC,
/// optional fields left out), so `Encodable` and `SalesEvent.encode()` always agree; decoding is
/// the synthesized `Decodable`.
public protocol SalesEventPayload: Codable, Sendable, Equatable {
    /// The stable type name stored with the event, e.g. `ClientRegistered`.
    static var eventType: String { get }
    /// The schema version this code writes and reads; older payloads are upcast on read.
    static var schemaVersion: Int { get }
    /// The payload keys that hold personal data (`name`, `email`, `phone` and free text). When a
    /// client's personal data is erased these read as `null` (see `SalesEvent.decode`).
    static var personalFields: Set<String> { get }
    /// Those of `personalFields` that the payload requires; erased, they decode as "".
    static var requiredPersonalFields: Set<String> { get }
    /// The payload as JSON, exactly the catalogue's keys.
    var json: JSONValue { get }
    /// This payload as a `SalesEvent`.
    var event: SalesEvent { get }
}

extension SalesEventPayload {
    /// Encodes `json`.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
