public import Foundation
public import JSON

/// Issue a credit note against an invoice (`POST /v1/invoices/{invoiceId}/credit-notes`): it
/// reduces what is owed, in the invoice's currency, never below zero.
public struct IssueCreditNote: Sendable, Equatable {
    public var creditNoteId: UUID
    public var invoiceId: UUID
    public var issuedOn: LocalDate
    public var amountMinor: Int64
    public var reason: String

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(creditNoteId: UUID, invoiceId: UUID, issuedOn: LocalDate, amountMinor: Int64, reason: String) {
        self.creditNoteId = creditNoteId
        self.invoiceId = invoiceId
        self.issuedOn = issuedOn
        self.amountMinor = amountMinor
        self.reason = reason
    }

    /// Validates a request body for the invoice of the path: `issuedOn`, `amountMinor`, `reason`;
    /// optional `creditNoteId` (else from `makeID`). The currency is the invoice's: there is no
    /// `currency` field.
    public static func parse(
        _ body: JSONValue, invoiceId: UUID, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> IssueCreditNote {
        var fields = CommandFields(body)
        let creditNoteId = fields.identifier("creditNoteId", default: makeID)
        let issuedOn = fields.required("issuedOn", .date)
        let amountMinor = fields.required("amountMinor", .positiveAmount)
        let reason = fields.required("reason", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let creditNoteId, let issuedOn, let amountMinor, let reason, fields.errors.isEmpty else {
            throw fields.failure
        }
        return IssueCreditNote(
            creditNoteId: creditNoteId, invoiceId: invoiceId, issuedOn: issuedOn, amountMinor: amountMinor,
            reason: reason
        )
    }
}
