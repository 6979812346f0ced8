public import Foundation

/// An event about to be appended.
public struct NewEvent: Sendable, Equatable {
    /// The event's id (unique in the whole store).
    public var eventID: UUID
    /// The stable type name (`InvoiceIssued`).
    public var type: String
    /// The payload's schema version (≥ 1).
    public var schemaVersion: Int
    /// The payload: a JSON object, as UTF-8 text.
    public var data: String
    /// Who and why: actor, correlation and causation ids.
    public var metadata: EventMetadata
    /// When it happened in business terms (RFC 3339).
    public var occurredAt: String

    public init(
        eventID: UUID = .timeOrdered(), type: String, schemaVersion: Int = 1, data: String, metadata: EventMetadata,
        occurredAt: String
    ) {
        self.eventID = eventID
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
        self.occurredAt = occurredAt
    }
}

/// Who recorded an event and in answer to what.
public struct EventMetadata: Sendable, Equatable, Codable {
    /// The token subject (`sales:anna`) or `cli:<OS user>`.
    public var actor: String
    /// Groups the events one request caused.
    public var correlationID: UUID?
    /// The event or request that caused this one.
    public var causationID: UUID?

    public init(actor: String, correlationID: UUID? = nil, causationID: UUID? = nil) {
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
    }

    enum CodingKeys: String, CodingKey {
        case actor
        case correlationID = "correlationId"
        case causationID = "causationId"
    }

    /// The JSON object stored in `events.metadata`, keys in sorted order.
    var json: String {
        var text = #"{"actor":"#
        JSONText.appendString(actor, to: &text)
        if let causationID { text += #","causationId":""# + causationID.uuidString.lowercased() + "\"" }
        if let correlationID { text += #","correlationId":""# + correlationID.uuidString.lowercased() + "\"" }
        return text + "}"
    }
}

/// A business key that must be unique across all streams (an invoice number),
/// or a lookup from an entity id to the stream that holds it.
public struct Claim: Sendable, Hashable {
    /// The key's namespace (`invoice-number`).
    public var scope: String
    /// The key.
    public var key: String
    public init(scope: String, key: String) {
        self.scope = scope
        self.key = key
    }
}
