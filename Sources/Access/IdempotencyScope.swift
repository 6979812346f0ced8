/// Where an `Idempotency-Key` counts: per token subject, method and path.
public struct IdempotencyScope: Sendable, Hashable {
    /// The token's subject.
    public var subject: String
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The request path, e.g. `/v1/invoices`.
    public var path: String

    public init(subject: String, method: String, path: String) {
        self.subject = subject
        self.method = method
        self.path = path
    }
}
