public import Foundation
public import JSON

/// Record money received from a client (`POST /v1/payments`) on its value date, with the
/// allocations the payer asked for; the rest is allocated by the rule of the contract (see
/// `Receivables.decide(_:state:client:)`).
public struct ReceivePayment: Sendable, Equatable {
    public var paymentId: UUID
    public var clientId: UUID
    public var receivedOn: LocalDate
    public var amountMinor: Int64
    public var currency: Currency
    /// The explicit allocations, in the order given; empty when the payer named none.
    public var allocations: [Allocation]

    /// The payment as money.
    public var amount: Money {
        Money(amountMinor: amountMinor, currency: currency)
    }

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        paymentId: UUID, clientId: UUID, receivedOn: LocalDate, amountMinor: Int64, currency: Currency,
        allocations: [Allocation] = []
    ) {
        self.paymentId = paymentId
        self.clientId = clientId
        self.receivedOn = receivedOn
        self.amountMinor = amountMinor
        self.currency = currency
        self.allocations = allocations
    }

    /// Validates a request body: `clientId`, `receivedOn`, `amountMinor`, `currency`; optional
    /// `paymentId` (else from `makeID`) and `allocations: [{invoiceId, amountMinor}]` (at most 1000).
    public static func parse(
        _ body: JSONValue, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> ReceivePayment {
        var fields = CommandFields(body)
        let paymentId = fields.identifier("paymentId", default: makeID)
        let clientId = fields.required("clientId", .uuid)
        let receivedOn = fields.required("receivedOn", .date)
        let amountMinor = fields.required("amountMinor", .positiveAmount)
        let currency = fields.required("currency", .currency)
        let allocations = fields.optional("allocations", .list(Allocation.format, count: 0...TextLimit.allocations))
        fields.rejectUnknownKeys()
        guard let paymentId, let clientId, let receivedOn, let amountMinor, let currency, fields.errors.isEmpty
        else { throw fields.failure }
        return ReceivePayment(
            paymentId: paymentId, clientId: clientId, receivedOn: receivedOn, amountMinor: amountMinor,
            currency: currency, allocations: allocations ?? []
        )
    }
}
