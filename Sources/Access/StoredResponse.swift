/// A remembered 2xx answer, replayed to retries with the same key and body.
public struct StoredResponse: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body bytes.
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}
