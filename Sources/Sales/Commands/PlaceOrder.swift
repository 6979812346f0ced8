public import Foundation
public import JSON

/// Record an order, a purchase (`POST /v1/clients/{clientId}/orders`): the client bought, for how
/// much, on which day; optionally as the result of one of the client's deals.
public struct PlaceOrder: Sendable, Equatable {
    public var orderId: UUID
    public var clientId: UUID
    public var dealId: UUID?
    public var placedOn: LocalDate
    public var amountMinor: Int64
    public var currency: Currency

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        orderId: UUID, clientId: UUID, dealId: UUID? = nil, placedOn: LocalDate, amountMinor: Int64, currency: Currency
    ) {
        self.orderId = orderId
        self.clientId = clientId
        self.dealId = dealId
        self.placedOn = placedOn
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// Validates a request body for the client of the path: `placedOn`, `amountMinor`, `currency`;
    /// optional `orderId` (else from `makeID`) and `dealId`.
    public static func parse(
        _ body: JSONValue, clientId: UUID, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> PlaceOrder {
        var fields = CommandFields(body)
        let orderId = fields.identifier("orderId", default: makeID)
        let placedOn = fields.required("placedOn", .date)
        let amountMinor = fields.required("amountMinor", .positiveAmount)
        let currency = fields.required("currency", .currency)
        let dealId = fields.optional("dealId", .uuid)
        fields.rejectUnknownKeys()
        guard let orderId, let placedOn, let amountMinor, let currency, fields.errors.isEmpty else {
            throw fields.failure
        }
        return PlaceOrder(
            orderId: orderId, clientId: clientId, dealId: dealId, placedOn: placedOn, amountMinor: amountMinor,
            currency: currency
        )
    }
}
