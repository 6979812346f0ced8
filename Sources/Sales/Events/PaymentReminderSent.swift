public import Foundation
public import JSON

/// A reminder of an overdue invoice went to the client on `sentOn`, by `channel`, at `level`
/// (1 friendly, 2 firm, 3 final notice). Event type `PaymentReminderSent`, stream
/// `receivables-<clientId>`.
public struct PaymentReminderSent: SalesEventPayload {
    public static let eventType = "PaymentReminderSent"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["note"]
    public static let requiredPersonalFields: Set<String> = []

    public let reminderId: UUID
    public let invoiceId: UUID
    public let clientId: UUID
    public let sentOn: LocalDate
    public let channel: ReminderChannel
    public let level: ReminderLevel
    public let note: String?

    /// The payload with these fields.
    public init(
        reminderId: UUID, invoiceId: UUID, clientId: UUID, sentOn: LocalDate, channel: ReminderChannel,
        level: ReminderLevel, note: String? = nil
    ) {
        self.reminderId = reminderId
        self.invoiceId = invoiceId
        self.clientId = clientId
        self.sentOn = sentOn
        self.channel = channel
        self.level = level
        self.note = note
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "reminderId": reminderId.json,
            "invoiceId": invoiceId.json,
            "clientId": clientId.json,
            "sentOn": sentOn.json,
            "channel": .string(channel.rawValue),
            "level": .integer(Int64(level.rawValue)),
            "note": note.map(JSONValue.string),
        ])
    }

    public var event: SalesEvent { .paymentReminderSent(self) }
}
