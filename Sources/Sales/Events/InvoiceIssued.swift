public import Foundation
public import JSON

/// An invoice was issued to a client.
/// Event type `InvoiceIssued`, stream `receivables-<clientId>`.
public struct InvoiceIssued: SalesEventPayload {
    public static let eventType = "InvoiceIssued"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = []
    public static let requiredPersonalFields: Set<String> = []

    public let invoiceId: UUID
    public let clientId: UUID
    public let number: String
    public let issuedOn: LocalDate
    public let dueOn: LocalDate
    public let amountMinor: Int64
    public let currency: Currency
    public let orderId: UUID?

    /// The payload with these fields.
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

    public var json: JSONValue {
        .object(omittingNil: [
            "invoiceId": invoiceId.json,
            "clientId": clientId.json,
            "number": .string(number),
            "issuedOn": issuedOn.json,
            "dueOn": dueOn.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "orderId": orderId?.json,
        ])
    }

    public var event: SalesEvent { .invoiceIssued(self) }
}
