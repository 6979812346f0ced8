public import Foundation
public import JSON

/// The client raised an objection in a deal.
/// Event type `ObjectionRaised`, stream `deal-<dealId>`.
public struct ObjectionRaised: SalesEventPayload {
    public static let eventType = "ObjectionRaised"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["text"]
    public static let requiredPersonalFields: Set<String> = []

    public let objectionId: UUID
    public let dealId: UUID
    public let clientId: UUID
    public let category: ObjectionCategory
    public let raisedOn: LocalDate
    public let text: String?

    /// The payload with these fields.
    public init(
        objectionId: UUID, dealId: UUID, clientId: UUID, category: ObjectionCategory, raisedOn: LocalDate,
        text: String? = nil
    ) {
        self.objectionId = objectionId
        self.dealId = dealId
        self.clientId = clientId
        self.category = category
        self.raisedOn = raisedOn
        self.text = text
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "objectionId": objectionId.json,
            "dealId": dealId.json,
            "clientId": clientId.json,
            "category": category.json,
            "raisedOn": raisedOn.json,
            "text": text.map(JSONValue.string),
        ])
    }

    public var event: SalesEvent { .objectionRaised(self) }
}
