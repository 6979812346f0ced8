/// Why a stored event could not be read back as a `SalesEvent`.
public enum EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No payload type has this name.
    case unknownType(String)
    /// The stored schema version is newer than this code reads, or not a version at all (< 1).
    case unsupportedVersion(type: String, version: Int)
    /// The stored version is older than the current one and no upcaster takes it a step further.
    case missingUpcaster(type: String, fromVersion: Int)
    /// An upcaster refused the payload.
    case upcastFailed(type: String, fromVersion: Int, reason: String)
    /// The payload is not valid JSON or lacks what the type requires.
    case malformedPayload(type: String, reason: String)

    /// A sentence naming the type and what went wrong.
    public var description: String {
        switch self {
        case .unknownType(let type): "unknown event type \(type)"
        case .unsupportedVersion(let type, let version): "\(type) has no schema version \(version)"
        case .missingUpcaster(let type, let version): "no upcaster takes \(type) from schema version \(version)"
        case .upcastFailed(let type, let version, let reason):
            "upcasting \(type) from version \(version) failed: \(reason)"
        case .malformedPayload(let type, let reason): "malformed \(type) payload: \(reason)"
        }
    }
}
