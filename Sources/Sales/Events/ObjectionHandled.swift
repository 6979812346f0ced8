public import Foundation
public import JSON

/// An objection of a deal was handled, resolved or not.
/// Event type `ObjectionHandled`, stream `deal-<dealId>`.
public struct ObjectionHandled: SalesEventPayload {
    public static let eventType = "ObjectionHandled"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["response"]
    public static let requiredPersonalFields: Set<String> = []

    public let objectionId: UUID
    public let dealId: UUID
    public let clientId: UUID
    public let handledOn: LocalDate
    public let resolved: Bool
    public let response: String?

    /// The payload with these fields.
    public init(
        objectionId: UUID, dealId: UUID, clientId: UUID, handledOn: LocalDate, resolved: Bool,
        response: String? = nil
    ) {
        self.objectionId = objectionId
        self.dealId = dealId
        self.clientId = clientId
        self.handledOn = handledOn
        self.resolved = resolved
        self.response = response
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "objectionId": objectionId.json,
            "dealId": dealId.json,
            "clientId": clientId.json,
            "handledOn": handledOn.json,
            "resolved": .bool(resolved),
            "response": response.map(JSONValue.string),
        ])
    }

    public var event: SalesEvent { .objectionHandled(self) }
}
