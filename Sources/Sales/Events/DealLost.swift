public import Foundation
public import JSON

/// A deal was lost, refused by the client or by us; `stage` is the stage it was in.
/// Event type `DealLost`, stream `deal-<dealId>`.
public struct DealLost: SalesEventPayload {
    public static let eventType = "DealLost"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["reason", "criteria"]
    public static let requiredPersonalFields: Set<String> = ["reason"]

    public let dealId: UUID
    public let clientId: UUID
    public let stage: String
    public let lostOn: LocalDate
    public let refusedBy: RefusedBy
    public let reason: String
    public let criteria: String?

    /// The payload with these fields.
    public init(
        dealId: UUID, clientId: UUID, stage: String, lostOn: LocalDate, refusedBy: RefusedBy, reason: String,
        criteria: String? = nil
    ) {
        self.dealId = dealId
        self.clientId = clientId
        self.stage = stage
        self.lostOn = lostOn
        self.refusedBy = refusedBy
        self.reason = reason
        self.criteria = criteria
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "dealId": dealId.json,
            "clientId": clientId.json,
            "stage": .string(stage),
            "lostOn": lostOn.json,
            "refusedBy": refusedBy.json,
            "reason": .string(reason),
            "criteria": criteria.map(JSONValue.string),
        ])
    }

    public var event: SalesEvent { .dealLost(self) }
}
