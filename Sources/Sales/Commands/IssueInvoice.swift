public import Foundation
public import JSON

/// Issue an invoice to a client (`POST /v1/invoices`): a number, the day it is issued and the day
/// it is due (payment deferral is part of the deal), an amount in a currency.
public struct IssueInvoice: Sendable, Equatable {
    public var invoiceId: UUID
    public var clientId: UUID
    public var number: String
    public var issuedOn: LocalDate
    public var dueOn: LocalDate
    public var amountMinor: Int64
    public var currency: Currency
    public var orderId: UUID?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        invoiceId: UUID, clientId: UUID, number: String, issuedOn: LocalDate, dueOn: LocalDate, amountMinor: Int64,
        currency: Currency, orderId: UUID? = nil
    ) {
        self.invoiceId = invoiceId
        self.clientId = clientId
        self.number = number
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.amountMinor = amountMinor
        self.currency = currency
        self.orderId = orderId
    }

    /// Validates a request body: `clientId`, `number`, `issuedOn`, `dueOn`, `amountMinor`,
    /// `currency`; optional `invoiceId` (else from `makeID`) and `orderId`.
    public static func parse(
        _ body: JSONValue, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> IssueInvoice {
        var fields = CommandFields(body)
        let invoiceId = fields.identifier("invoiceId", default: makeID)
        let clientId = fields.required("clientId", .uuid)
        let number = fields.required("number", .text(maxLength: TextLimit.invoiceNumber))
        let issuedOn = fields.required("issuedOn", .date)
        let dueOn = fields.required("dueOn", .date)
        let amountMinor = fields.required("amountMinor", .positiveAmount)
        let currency = fields.required("currency", .currency)
        let orderId = fields.optional("orderId", .uuid)
        fields.rejectUnknownKeys()
        guard let invoiceId, let clientId, let number, let issuedOn, let dueOn, let amountMinor, let currency,
            fields.errors.isEmpty
        else { throw fields.failure }
        return IssueInvoice(
            invoiceId: invoiceId, clientId: clientId, number: number, issuedOn: issuedOn, dueOn: dueOn,
            amountMinor: amountMinor, currency: currency, orderId: orderId
        )
    }
}
