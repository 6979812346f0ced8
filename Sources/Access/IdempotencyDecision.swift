/// What to do with a request that carries an `Idempotency-Key`.
public enum IdempotencyDecision: Sendable, Equatable {
    /// Execute it; then `complete` (2xx) or `abandon` (anything else) the key.
    case proceed
    /// Answer with the first request's response; execute nothing.
    case replay(StoredResponse)
    /// The key was used with another body: refuse (422).
    case keyReusedWithDifferentBody
}
