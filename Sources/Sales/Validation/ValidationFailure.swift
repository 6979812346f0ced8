/// A command body that was refused, with every problem found in it (not only the first): the
/// `errors: [{field, message}]` of a 422 problem, and the report of a rejected `touchstone import`
/// line.
public struct ValidationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every problem, in the order the fields were read; unknown keys last.
    public let errors: [FieldError]

    /// A failure listing `errors`.
    public init(errors: [FieldError]) {
        self.errors = errors
    }

    /// The problems, separated by `; `.
    public var description: String {
        errors.map(\.description).joined(separator: "; ")
    }
}
