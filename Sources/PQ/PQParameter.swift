/// A bound value as it travels to the server: PostgreSQL's text input format, or its binary
/// format (sent with its length, so it needs no quoting or escaping).
public enum PQParameter: Sendable, Hashable {
    /// The value in the type's text input format.
    case text(String)
    /// The value in the type's binary format (see ``PQBinaryArray``).
    case binary([UInt8])
}
