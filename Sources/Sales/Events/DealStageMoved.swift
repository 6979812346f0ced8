public import Foundation
public import JSON

/// A deal moved from one stage of its pipeline to another.
/// Event type `DealStageMoved`, stream `deal-<dealId>`.
public struct DealStageMoved: SalesEventPayload {
    public static let eventType = "DealStageMoved"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = []
    public static let requiredPersonalFields: Set<String> = []

    public let dealId: UUID
    public let clientId: UUID
    public let from: String
    public let stage: String
    public let movedOn: LocalDate

    /// The payload with these fields.
    public init(dealId: UUID, clientId: UUID, from: String, stage: String, movedOn: LocalDate) {
        self.dealId = dealId
        self.clientId = clientId
        self.from = from
        self.stage = stage
        self.movedOn = movedOn
    }

    public var json: JSONValue {
        .object([
            "dealId": dealId.json,
            "clientId": clientId.json,
            "from": .string(from),
            "stage": .string(stage),
            "movedOn": movedOn.json,
        ])
    }

    public var event: SalesEvent { .dealStageMoved(self) }
}
