/// A bound value as it travels to the server: PostgreSQL's text input format, or its binary
/// format (sent with its length, so it needs no quoting or escaping).
public enum PQParameter: Sendable, Hashable {
    case text(String)
    case binary([UInt8])
}
