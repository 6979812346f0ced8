public import Foundation
public import JSON

/// A client's personal data was erased: its data keys were deleted, so every personal field of
/// the events on its streams (client, deals, receivables) now reads as `null`. The event itself
/// holds no personal field. `events` is how many events had a field erased.
/// Event type `ClientPersonalDataErased`, stream `client-<clientId>`.
public struct ClientPersonalDataErased: SalesEventPayload {
    public static let eventType = "ClientPersonalDataErased"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = []
    public static let requiredPersonalFields: Set<String> = []

    public let clientId: UUID
    public let erasedAt: Instant
    public let events: Int

    /// The payload with these fields.
    public init(clientId: UUID, erasedAt: Instant, events: Int) {
        self.clientId = clientId
        self.erasedAt = erasedAt
        self.events = events
    }

    public var json: JSONValue {
        .object([
            "clientId": clientId.json,
            "erasedAt": erasedAt.json,
            "events": .integer(Int64(events)),
        ])
    }

    public var event: SalesEvent { .clientPersonalDataErased(self) }
}
