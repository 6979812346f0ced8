public import Foundation
public import JSON

/// Record a client's promise to pay an invoice (`POST /v1/invoices/{invoiceId}/promises`): how
/// much, by which day, and the day the promise was made.
public struct PromisePayment: Sendable, Equatable {
    public var promiseId: UUID
    public var invoiceId: UUID
    public var madeOn: LocalDate
    public var promisedOn: LocalDate
    public var amountMinor: Int64
    public var note: String?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        promiseId: UUID, invoiceId: UUID, madeOn: LocalDate, promisedOn: LocalDate, amountMinor: Int64,
        note: String? = nil
    ) {
        self.promiseId = promiseId
        self.invoiceId = invoiceId
        self.madeOn = madeOn
        self.promisedOn = promisedOn
        self.amountMinor = amountMinor
        self.note = note
    }

    /// Validates a request body for the invoice of the path: `promisedOn`, `amountMinor`; optional
    /// `promiseId` (else from `makeID`), `madeOn` (else the UTC date of `recordedAt`), `note`. The
    /// currency is the invoice's: there is no `currency` field.
    public static func parse(
        _ body: JSONValue, invoiceId: UUID, recordedAt: Instant, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> PromisePayment {
        var fields = CommandFields(body)
        let promiseId = fields.identifier("promiseId", default: makeID)
        let promisedOn = fields.required("promisedOn", .date)
        let amountMinor = fields.required("amountMinor", .positiveAmount)
        let madeOn = fields.optional("madeOn", .date) ?? recordedAt.utcDate
        let note = fields.optional("note", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let promiseId, let promisedOn, let amountMinor, fields.errors.isEmpty else { throw fields.failure }
        return PromisePayment(
            promiseId: promiseId, invoiceId: invoiceId, madeOn: madeOn, promisedOn: promisedOn,
            amountMinor: amountMinor,
            note: note)
    }
}
