/// Why a valid command could not be recorded, other than a rule of the domain
/// (those are `SalesRuleViolation`s).
public enum RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Other writers kept changing the stream: every retry met a newer version.
    case contention(stream: String, attempts: Int)
    /// A stored event of a stream the decision needs could not be read.
    case unreadableEvent(stream: String, reason: String)
    /// The request's receipt was stored by an earlier attempt but could not be read back.
    case receiptLost(key: String)

    public var description: String {
        switch self {
        case .contention(let stream, let attempts):
            "\(stream) changed under \(attempts) attempts in a row; retry later"
        case .unreadableEvent(let stream, let reason):
            "an event of \(stream) could not be read: \(reason)"
        case .receiptLost:
            "this request was recorded by an earlier attempt whose answer could not be read back; retry later"
        }
    }
}
