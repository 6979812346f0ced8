/// How a payment reminder reached the client: a call, an e-mail, a letter or a message.
public enum ReminderChannel: String, Sendable, Hashable, Codable, CaseIterable {
    case call
    case email
    case letter
    case message
}
