/// An error from PostgreSQL or from libpq.
///
/// `message` is the server's (or libpq's) own text: it belongs in logs, never in
/// an answer to a client. Callers branch on ``kind`` and ``sqlState``.
public struct PQError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    public enum Kind: Sendable, Equatable {
        /// No connection could be made.
        case connectionFailed
        /// The connection broke while in use (server restart, network loss).
        case connectionLost
        /// The server rejected a statement; ``PQError/sqlState`` says why.
        case server
        /// A result did not have the shape the caller asked for.
        case decoding
        /// libpq refused a call (pipeline or COPY protocol misuse).
        case client
        /// The pool was closed (the process is shutting down).
        case poolClosed
        /// No connection of the pool became free within its lease timeout, or the pool's wait
        /// queue was full (see ``ConnectionPool``): the caller should answer "busy, retry".
        case poolExhausted
    }

    /// What went wrong, coarsely.
    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The primary message (internal; do not show to API clients).
    public var message: String
    /// The server's DETAIL line, if any.
    public var detail: String?
    /// The violated constraint's name, if any.
    public var constraint: String?

    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil,
        constraint: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
    }

    public var description: String {
        var text = "PQError.\(kind)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }

    /// True for `unique_violation` (23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }
}
