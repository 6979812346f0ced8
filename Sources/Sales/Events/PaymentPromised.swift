public import Foundation
public import JSON

/// The client promised to pay `amountMinor` of an invoice by `promisedOn`; the promise was made on
/// `madeOn`. Event type `PaymentPromised`, stream `receivables-<clientId>`.
public struct PaymentPromised: SalesEventPayload {
    public static let eventType = "PaymentPromised"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["note"]
    public static let requiredPersonalFields: Set<String> = []

    public let promiseId: UUID
    public let invoiceId: UUID
    public let clientId: UUID
    public let madeOn: LocalDate
    public let promisedOn: LocalDate
    public let amountMinor: Int64
    /// The invoice's currency.
    public let currency: Currency
    public let note: String?

    /// The payload with these fields.
    public init(
        promiseId: UUID, invoiceId: UUID, clientId: UUID, madeOn: LocalDate, promisedOn: LocalDate, amountMinor: Int64,
        currency: Currency, note: String? = nil
    ) {
        self.promiseId = promiseId
        self.invoiceId = invoiceId
        self.clientId = clientId
        self.madeOn = madeOn
        self.promisedOn = promisedOn
        self.amountMinor = amountMinor
        self.currency = currency
        self.note = note
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "promiseId": promiseId.json,
            "invoiceId": invoiceId.json,
            "clientId": clientId.json,
            "madeOn": madeOn.json,
            "promisedOn": promisedOn.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "note": note.map(JSONValue.string),
        ])
    }

    public var event: SalesEvent { .paymentPromised(self) }
}
