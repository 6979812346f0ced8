public import JSON
import Sales

/// The answer to a recorded command (``RecordedCommand/answer``), and whether it was read back
/// from the receipt of an earlier attempt of the same request instead of being recorded now.
public struct RecordingAnswer: Sendable, Equatable {
    /// The 201 document: the entity id under its own name, `streamVersion`, and what else the
    /// command answers.
    public var document: JSONValue
    /// Whether an earlier attempt recorded the command and this is its answer.
    public var replayed: Bool

    public init(document: JSONValue, replayed: Bool = false) {
        self.document = document
        self.replayed = replayed
    }
}
