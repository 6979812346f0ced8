public import Foundation
public import JSON

/// What was open on an invoice was written off; `amountMinor` is that open balance at record time.
/// Event type `InvoiceWrittenOff`, stream `receivables-<clientId>`.
public struct InvoiceWrittenOff: SalesEventPayload {
    public static let eventType = "InvoiceWrittenOff"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["reason"]
    public static let requiredPersonalFields: Set<String> = ["reason"]

    public let invoiceId: UUID
    public let clientId: UUID
    public let writtenOffOn: LocalDate
    public let amountMinor: Int64
    public let currency: Currency
    public let reason: String

    /// The payload with these fields.
    public init(
        invoiceId: UUID, clientId: UUID, writtenOffOn: LocalDate, amountMinor: Int64, currency: Currency,
        reason: String
    ) {
        self.invoiceId = invoiceId
        self.clientId = clientId
        self.writtenOffOn = writtenOffOn
        self.amountMinor = amountMinor
        self.currency = currency
        self.reason = reason
    }

    public var json: JSONValue {
        .object([
            "invoiceId": invoiceId.json,
            "clientId": clientId.json,
            "writtenOffOn": writtenOffOn.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "reason": .string(reason),
        ])
    }

    public var event: SalesEvent { .invoiceWrittenOff(self) }
}
