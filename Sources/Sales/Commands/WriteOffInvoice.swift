public import Foundation
public import JSON

/// Write off what is still open on an invoice (`POST /v1/invoices/{invoiceId}/write-off`): the
/// amount written off is the open balance when the command is recorded.
public struct WriteOffInvoice: Sendable, Equatable {
    public var invoiceId: UUID
    public var writtenOffOn: LocalDate
    public var reason: String

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(invoiceId: UUID, writtenOffOn: LocalDate, reason: String) {
        self.invoiceId = invoiceId
        self.writtenOffOn = writtenOffOn
        self.reason = reason
    }

    /// Validates a request body for the invoice of the path: `writtenOffOn`, `reason`.
    public static func parse(_ body: JSONValue, invoiceId: UUID) throws(ValidationFailure) -> WriteOffInvoice {
        var fields = CommandFields(body)
        let writtenOffOn = fields.required("writtenOffOn", .date)
        let reason = fields.required("reason", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let writtenOffOn, let reason, fields.errors.isEmpty else { throw fields.failure }
        return WriteOffInvoice(invoiceId: invoiceId, writtenOffOn: writtenOffOn, reason: reason)
    }
}
