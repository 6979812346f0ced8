public import Foundation
public import JSON

/// Record a reminder of an overdue invoice (`POST /v1/invoices/{invoiceId}/reminders`): the day it
/// was sent, by which channel, and how firm it was.
public struct SendPaymentReminder: Sendable, Equatable {
    public var reminderId: UUID
    public var invoiceId: UUID
    public var sentOn: LocalDate
    public var channel: ReminderChannel
    public var level: ReminderLevel
    public var note: String?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        reminderId: UUID, invoiceId: UUID, sentOn: LocalDate, channel: ReminderChannel, level: ReminderLevel,
        note: String? = nil
    ) {
        self.reminderId = reminderId
        self.invoiceId = invoiceId
        self.sentOn = sentOn
        self.channel = channel
        self.level = level
        self.note = note
    }

    /// Validates a request body for the invoice of the path: `sentOn`, `channel` (`call`, `email`,
    /// `letter`, `message`), `level` (1, 2 or 3); optional `reminderId` (else from `makeID`), `note`.
    public static func parse(
        _ body: JSONValue, invoiceId: UUID, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> SendPaymentReminder {
        var fields = CommandFields(body)
        let reminderId = fields.identifier("reminderId", default: makeID)
        let sentOn = fields.required("sentOn", .date)
        let channel = fields.required("channel", FieldFormat<ReminderChannel>.choice)
        let level = fields.required("level", .level)
        let note = fields.optional("note", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let reminderId, let sentOn, let channel, let level, fields.errors.isEmpty else { throw fields.failure }
        return SendPaymentReminder(
            reminderId: reminderId, invoiceId: invoiceId, sentOn: sentOn, channel: channel, level: level, note: note)
    }
}
