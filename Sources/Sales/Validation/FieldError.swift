/// One problem with one field of a command body: `field` is the JSON key as sent, with the path
/// into nested values (`amountMinor`, `allocations[1].invoiceId`); `body` names the body itself.
public struct FieldError: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The JSON key (with its path) the problem is about.
    public let field: String
    /// What is wrong, in plain words (`must be greater than 0`).
    public let message: String

    /// A problem with `field`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}
