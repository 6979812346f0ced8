/// Why the master key cannot be used. Every message names the variable to fix; the server and
/// the CLI refuse to start on any of them, and nothing is written.
public enum MasterKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither the variable nor its `_FILE` form is set.
    case missing(variable: String)
    /// Both the variable and its `_FILE` form are set.
    case ambiguous(variable: String)
    /// The value is not base64 of exactly 32 bytes.
    case malformed(variable: String)
    /// The file named by `variable` cannot be read.
    case unreadableFile(variable: String, path: String)
    /// Data keys of this database are wrapped by a master key this process was not given.
    case unknownMasterKey(variable: String, keys: Int)
    /// A data key did not unwrap with the master key its row names (tampered or corrupt).
    case unwrapFailed(keyID: String)

    public var description: String {
        switch self {
        case .missing(let variable):
            "\(variable) is not set: give the 32-byte master key as base64 (e.g. `openssl rand -base64 32`) in \(variable) or in a file named by \(variable)_FILE"
        case .ambiguous(let variable):
            "both \(variable) and \(variable)_FILE are set: set one of them"
        case .malformed(let variable):
            "\(variable) is not a master key: it must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)"
        case .unreadableFile(let variable, let path):
            "\(variable)_FILE names '\(path)', which cannot be read"
        case .unknownMasterKey(let variable, let keys):
            "\(variable) is not the master key of this database: \(keys) client data key(s) are wrapped by another master key (give that one as \(variable), or as TOUCHSTONE_PREVIOUS_MASTER_KEY during a rotation)"
        case .unwrapFailed(let keyID):
            "the data key \(keyID) does not unwrap with its master key: the row is corrupt or was tampered with"
        }
    }
}
