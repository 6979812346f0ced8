public import Logging
public import ServiceLifecycle

/// The first step of a graceful shutdown, as a ServiceLifecycle service placed last in the
/// service group (the group shuts services down in reverse order): when the shutdown begins it
/// turns `GET /readyz` to 503 at once, then waits `delay` while the server still takes new
/// connections, so load balancers see the instance leave before it refuses anyone. Only then does
/// the group stop the HTTP server (which refuses new connections and lets in-flight requests
/// finish), then the projection runner (which commits its batch and releases its locks).
public struct ShutdownDrain: Service {
    /// What `GET /readyz` reports.
    let readiness: Readiness
    /// How long to keep taking connections after `/readyz` turned to 503.
    let delay: Duration
    let logger: Logger

    /// A drain that flips `readiness` and then waits `delay`.
    public init(readiness: Readiness, delay: Duration, logger: Logger) {
        self.readiness = readiness
        self.delay = delay
        self.logger = logger
    }

    public func run() async throws {
        // Waits for the shutdown; returns at once if it already began. A cancelled group ends here.
        try await gracefulShutdown()
        readiness.stopAccepting()
        logger.info("shutting down: /readyz answers 503", metadata: ["drain.delay": "\(delay)"])
        // A cancelled group (a second signal, a failed service) stops waiting.
        let deadline = ContinuousClock.now.advanced(by: delay)
        while ContinuousClock.now < deadline {
            try? await Task.sleep(until: deadline)
            if Task.isCancelled { break }
        }
        logger.info("shutting down: no new connections; finishing the requests in flight")
    }
}
