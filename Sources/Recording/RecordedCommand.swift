public import JSON
public import Sales

/// What recording a command appended: the entity it concerns, the version of the stream it
/// appended to, and for a payment the allocations that were decided.
public struct RecordedCommand: Sendable, Equatable {
    /// The answer's key for the entity id (`clientId`, `dealId`, `touchId`, …, or `pipeline`).
    public var entityKey: String
    /// The entity's id (a lowercase UUID, or a pipeline's name).
    public var entityID: String
    /// The stream's version after the append.
    public var streamVersion: Int64
    /// For a payment: one entry per invoice, explicit and automatic parts merged.
    public var allocations: [Allocation]?
    /// For a payment: what was left as the client's unapplied credit.
    public var unappliedMinor: Int64?
    /// For a pipeline definition: its stages in order.
    public var stages: [String]?

    /// An outcome for `entityKey` = `entityID` at `streamVersion`.
    public init(
        entityKey: String, entityID: String, streamVersion: Int64, allocations: [Allocation]? = nil,
        unappliedMinor: Int64? = nil
    ) {
        self.entityKey = entityKey
        self.entityID = entityID
        self.streamVersion = streamVersion
        self.allocations = allocations
        self.unappliedMinor = unappliedMinor
    }
}

extension RecordedCommand {
    /// The 201 answer: the entity id under its own name, `streamVersion`, and for a payment its
    /// `allocations`.
    public var answer: JSONValue {
        var members: [String: JSONValue] = [entityKey: .string(entityID), "streamVersion": .integer(streamVersion)]
        if let allocations {
            members["allocations"] = .array(allocations.map(\.json))
            members["unappliedMinor"] = .integer(unappliedMinor ?? 0)
        }
        if let stages { members["stages"] = .array(stages.map(JSONValue.string)) }
        return .object(members)
    }
}
