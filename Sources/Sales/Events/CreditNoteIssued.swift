public import Foundation
public import JSON

/// A credit note reduced what is owed on an invoice, in the invoice's currency.
/// Event type `CreditNoteIssued`, stream `receivables-<clientId>`.
public struct CreditNoteIssued: SalesEventPayload {
    public static let eventType = "CreditNoteIssued"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["reason"]
    public static let requiredPersonalFields: Set<String> = ["reason"]

    public let creditNoteId: UUID
    public let invoiceId: UUID
    public let clientId: UUID
    public let issuedOn: LocalDate
    public let amountMinor: Int64
    public let currency: Currency
    public let reason: String

    /// The payload with these fields.
    public init(
        creditNoteId: UUID, invoiceId: UUID, clientId: UUID, issuedOn: LocalDate, amountMinor: Int64,
        currency: Currency, reason: String
    ) {
        self.creditNoteId = creditNoteId
        self.invoiceId = invoiceId
        self.clientId = clientId
        self.issuedOn = issuedOn
        self.amountMinor = amountMinor
        self.currency = currency
        self.reason = reason
    }

    public var json: JSONValue {
        .object([
            "creditNoteId": creditNoteId.json,
            "invoiceId": invoiceId.json,
            "clientId": clientId.json,
            "issuedOn": issuedOn.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "reason": .string(reason),
        ])
    }

    public var event: SalesEvent { .creditNoteIssued(self) }
}
