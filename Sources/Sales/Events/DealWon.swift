public import Foundation
public import JSON

/// A deal was won; `stage` is the stage it was in.
/// Event type `DealWon`, stream `deal-<dealId>`.
public struct DealWon: SalesEventPayload {
    public static let eventType = "DealWon"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = []
    public static let requiredPersonalFields: Set<String> = []

    public let dealId: UUID
    public let clientId: UUID
    public let stage: String
    public let wonOn: LocalDate

    /// The payload with these fields.
    public init(dealId: UUID, clientId: UUID, stage: String, wonOn: LocalDate) {
        self.dealId = dealId
        self.clientId = clientId
        self.stage = stage
        self.wonOn = wonOn
    }

    public var json: JSONValue {
        .object([
            "dealId": dealId.json,
            "clientId": clientId.json,
            "stage": .string(stage),
            "wonOn": wonOn.json,
        ])
    }

    public var event: SalesEvent { .dealWon(self) }
}
