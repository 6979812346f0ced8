import Dispatch
import PQ

/// A connection of its own for one long-lived worker (the runner, whose
/// session-level advisory locks live as long as the connection does), with
/// its blocking libpq calls on a serial queue, off Swift's cooperative pool.
final class ProjectionConnection: @unchecked Sendable {
    private let conninfo: String
    private let queue = DispatchQueue(label: "touchstone.projections")
    /// Touched only on `queue`.
    private var connection: Connection?

    init(conninfo: String) {
        self.conninfo = conninfo
    }

    /// Runs `body` on the connection, opening it when needed; `reopened` is
    /// true when a new session began (advisory locks of the old one are gone).
    func run<T: Sendable>(_ body: @escaping @Sendable (Connection, _ reopened: Bool) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        var reopened = false
                        if self.connection?.isAlive != true {
                            self.connection = try Connection(
                                conninfo: self.conninfo, applicationName: "touchstone-projections")
                            reopened = true
                        }
                        let current = self.connection!
                        do {
                            return try body(current, reopened)
                        } catch {
                            if current.inTransaction { _ = try? current.execute("ROLLBACK") }
                            throw error
                        }
                    })
            }
        }
    }

    /// Closes the connection (releasing its session locks).
    func close() {
        queue.async { self.connection = nil }
    }
}
