/// A kept decider state that does not decode: the snapshot is ignored and folded again.
public struct SnapshotDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the member.
    public let reason: String

    /// An error for `reason`.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "snapshot does not decode: \(reason)" }
}
