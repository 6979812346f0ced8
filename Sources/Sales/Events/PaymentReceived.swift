public import Foundation
public import JSON

/// Money was received from a client and allocated to invoices at record time; `unappliedMinor` is what was left over.
/// Event type `PaymentReceived`, stream `receivables-<clientId>`.
public struct PaymentReceived: SalesEventPayload {
    public static let eventType = "PaymentReceived"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = []
    public static let requiredPersonalFields: Set<String> = []

    public let paymentId: UUID
    public let clientId: UUID
    public let receivedOn: LocalDate
    public let amountMinor: Int64
    public let currency: Currency
    public let allocations: [Allocation]
    public let unappliedMinor: Int64

    /// The payload with these fields.
    public init(
        paymentId: UUID, clientId: UUID, receivedOn: LocalDate, amountMinor: Int64, currency: Currency,
        allocations: [Allocation], unappliedMinor: Int64
    ) {
        self.paymentId = paymentId
        self.clientId = clientId
        self.receivedOn = receivedOn
        self.amountMinor = amountMinor
        self.currency = currency
        self.allocations = allocations
        self.unappliedMinor = unappliedMinor
    }

    public var json: JSONValue {
        .object([
            "paymentId": paymentId.json,
            "clientId": clientId.json,
            "receivedOn": receivedOn.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "allocations": .array(allocations.map(\.json)),
            "unappliedMinor": .integer(unappliedMinor),
        ])
    }

    public var event: SalesEvent { .paymentReceived(self) }
}
