public import Foundation
public import JSON

/// A touch with a client happened: a call, e-mail, meeting, message or visit.
/// Event type `TouchRecorded`, stream `client-<clientId>`.
public struct TouchRecorded: SalesEventPayload {
    public static let eventType = "TouchRecorded"
    public static let schemaVersion = 2
    public static let personalFields: Set<String> = ["summary", "outcome", "nextStep"]
    public static let requiredPersonalFields: Set<String> = []

    public let touchId: UUID
    public let clientId: UUID
    public let dealId: UUID?
    public let channel: TouchChannel
    public let direction: TouchDirection
    public let occurredAt: Instant
    public let summary: String?
    public let outcome: String?
    public let nextStep: String?

    /// The payload with these fields.
    public init(
        touchId: UUID, clientId: UUID, dealId: UUID? = nil, channel: TouchChannel, direction: TouchDirection,
        occurredAt: Instant, summary: String? = nil, outcome: String? = nil, nextStep: String? = nil
    ) {
        self.touchId = touchId
        self.clientId = clientId
        self.dealId = dealId
        self.channel = channel
        self.direction = direction
        self.occurredAt = occurredAt
        self.summary = summary
        self.outcome = outcome
        self.nextStep = nextStep
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "touchId": touchId.json,
            "clientId": clientId.json,
            "dealId": dealId?.json,
            "channel": channel.json,
            "direction": direction.json,
            "occurredAt": occurredAt.json,
            "occurredOn": occurredOn.json,
            "summary": summary.map(JSONValue.string),
            "outcome": outcome.map(JSONValue.string),
            "nextStep": nextStep.map(JSONValue.string),
        ])
    }

    /// The UTC date the touch counts on (written since schema version 2; version 1 payloads get it
    /// from `occurredAt` through ``Upcaster/touchRecordedOccurredOn``).
    public var occurredOn: LocalDate { occurredAt.utcDate }

    public var event: SalesEvent { .touchRecorded(self) }
}
