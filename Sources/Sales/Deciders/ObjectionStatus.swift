/// Where one objection of a deal stands: raised, and handled or not yet.
public struct ObjectionStatus: Sendable, Equatable {
    /// The kind of objection.
    public let category: ObjectionCategory
    /// The day it was raised.
    public let raisedOn: LocalDate
    /// The day it was handled; nil while it has no outcome.
    public internal(set) var handledOn: LocalDate?
    /// Whether handling resolved it; nil while it has no outcome.
    public internal(set) var resolved: Bool?

    /// True once an outcome (resolved or not) is recorded.
    public var isHandled: Bool { handledOn != nil }
}
