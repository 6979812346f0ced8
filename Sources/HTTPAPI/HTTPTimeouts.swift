import NIOCore

/// How long the HTTP server keeps a connection that does nothing, and how long a request may take
/// to arrive. Nil is no limit.
public struct HTTPTimeouts: Sendable, Equatable {
    /// A connection with no request in progress for this long is closed (keep-alive connections
    /// between requests, and connections whose request head has not arrived).
    public var idle: Duration?
    /// A request whose body has not all arrived this long after its head has its connection closed.
    public var requestRead: Duration?

    /// Limits of `idle` and `requestRead`.
    public init(idle: Duration? = nil, requestRead: Duration? = nil) {
        self.idle = idle
        self.requestRead = requestRead
    }

    /// NIO's form of `duration`.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
