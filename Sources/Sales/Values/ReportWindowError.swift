/// An `asOf` or `knownAt` that is not a date or an instant: 422 naming the field over HTTP, a
/// one-line message and exit 1 on the command line.
public struct ReportWindowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `asOf` or `knownAt`.
    public let field: String
    /// The text that was given.
    public let value: String
    /// What is wrong, in plain words.
    public let message: String

    /// A refusal of `value` given for `field`.
    public init(field: String, value: String, message: String) {
        self.field = field
        self.value = value
        self.message = message
    }

    /// `field 'value' message`.
    public var description: String { "\(field) '\(value)' \(message)" }
}
