public import Foundation
public import JSON

/// A concession was traded in a deal: what we gave and what we got in return.
/// Event type `ConcessionAgreed`, stream `deal-<dealId>`.
public struct ConcessionAgreed: SalesEventPayload {
    public static let eventType = "ConcessionAgreed"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["given", "inReturn"]
    public static let requiredPersonalFields: Set<String> = ["given", "inReturn"]

    public let concessionId: UUID
    public let dealId: UUID
    public let clientId: UUID
    public let given: String
    public let inReturn: String
    public let agreedOn: LocalDate

    /// The payload with these fields.
    public init(
        concessionId: UUID, dealId: UUID, clientId: UUID, given: String, inReturn: String, agreedOn: LocalDate
    ) {
        self.concessionId = concessionId
        self.dealId = dealId
        self.clientId = clientId
        self.given = given
        self.inReturn = inReturn
        self.agreedOn = agreedOn
    }

    public var json: JSONValue {
        .object([
            "concessionId": concessionId.json,
            "dealId": dealId.json,
            "clientId": clientId.json,
            "given": .string(given),
            "inReturn": .string(inReturn),
            "agreedOn": agreedOn.json,
        ])
    }

    public var event: SalesEvent { .concessionAgreed(self) }
}
