import Logging
import PQ
import Synchronization

/// The channel on which appends announce new events.
public let eventsChannel = "touchstone_events"

/// Sends the "new events" NOTIFY after appends, coalesced.
///
/// A NOTIFY inside every append transaction would serialise commits
/// (PostgreSQL takes a global lock for notifying transactions), so appends do
/// not notify; instead this process sends at most one NOTIFY per
/// ``interval``, always after the appends it announces have committed.
/// Readers also poll slowly, so a lost wake-up only delays them. The interval is well under the
/// projection runner's shortest tick (50 ms); under load a shorter one cost a NOTIFY round trip,
/// and a wake-up of every listener, every few milliseconds.
final class CommitSignal: Sendable {
    static let interval: Duration = .milliseconds(20)
    private let pool: ConnectionPool
    private let logger: Logger
    private let scheduled = Mutex(false)

    init(pool: ConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    func poke() {
        let start = scheduled.withLock { scheduled in
            defer { scheduled = true }
            return !scheduled
        }
        guard start else { return }
        Task {
            try? await Task.sleep(for: Self.interval)
            scheduled.withLock { $0 = false }
            do {
                try await pool.withConnection { try $0.notify(eventsChannel) }
            } catch let error as PQError where error.kind == .poolClosed {
                // Shutting down: whoever still reads the log will poll.
            } catch {
                logger.warning("could not notify readers of new events", metadata: ["error": "\(error)"])
            }
        }
    }
}
