/// What an append expects of its stream's current version.
public enum ExpectedVersion: Sendable, Equatable {
    /// No check.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must be exactly at this version (≥ 1).
    case exact(Int64)

    var code: Int64 {
        switch self {
        case .any: -2
        case .noStream: -1
        case .exact(let version): version
        }
    }

    /// `.noStream` for version 0, else `.exact`.
    public init(version: Int64) {
        self = version == 0 ? .noStream : .exact(version)
    }
}
