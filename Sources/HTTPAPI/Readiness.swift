import Synchronization

/// Whether the service takes new traffic: `GET /readyz` answers 503 once ``stopAccepting()`` was
/// called (when a graceful shutdown begins), so load balancers drain the instance.
public final class Readiness: Sendable {
    private let accepting = Atomic(true)

    /// A readiness that accepts traffic.
    public init() {}

    /// True until shutdown begins.
    public var isAccepting: Bool { accepting.load(ordering: .relaxed) }

    /// Marks the service as shutting down.
    public func stopAccepting() {
        accepting.store(false, ordering: .relaxed)
    }
}
