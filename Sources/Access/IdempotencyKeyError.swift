/// Why an `Idempotency-Key` was refused before anything ran.
public enum IdempotencyKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key is empty, longer than 255 characters, or holds anything but visible ASCII.
    case malformed(String)
    /// Another request with the same key did not finish within the wait.
    case stillInProgress

    public var description: String {
        switch self {
        case .malformed:
            "the Idempotency-Key must be 1 to 255 visible ASCII characters"
        case .stillInProgress:
            "a request with this Idempotency-Key is still being processed; retry later"
        }
    }
}
