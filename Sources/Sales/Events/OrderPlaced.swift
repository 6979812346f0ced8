public import Foundation
public import JSON

/// A client bought: an order of an amount on a day.
/// Event type `OrderPlaced`, stream `client-<clientId>`.
public struct OrderPlaced: SalesEventPayload {
    public static let eventType = "OrderPlaced"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = []
    public static let requiredPersonalFields: Set<String> = []

    public let orderId: UUID
    public let clientId: UUID
    public let dealId: UUID?
    public let placedOn: LocalDate
    public let amountMinor: Int64
    public let currency: Currency

    /// The payload with these fields.
    public init(
        orderId: UUID, clientId: UUID, dealId: UUID? = nil, placedOn: LocalDate, amountMinor: Int64,
        currency: Currency
    ) {
        self.orderId = orderId
        self.clientId = clientId
        self.dealId = dealId
        self.placedOn = placedOn
        self.amountMinor = amountMinor
        self.currency = currency
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "orderId": orderId.json,
            "clientId": clientId.json,
            "dealId": dealId?.json,
            "placedOn": placedOn.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
        ])
    }

    public var event: SalesEvent { .orderPlaced(self) }
}
