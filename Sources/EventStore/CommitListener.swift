import Foundation
public import Logging
import PQ
import Synchronization

/// Wakes readers of the log when appends announce new events.
///
/// One dedicated connection on a thread of its own LISTENs on
/// ``eventsChannel``; every notification (and every `pollInterval` without
/// one, as a safety net) yields a tick. A broken connection is reopened.
public final class CommitListener: Sendable {
    /// Ticks: "look at the log again".
    public let ticks: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let stopped = StopFlag()

    /// Starts listening on a thread of its own.
    public init(conninfo: String, pollInterval: Double = 1.0, logger: Logger) {
        (ticks, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let thread = Thread { [continuation, stopped] in
            var connection: Connection?
            while !stopped.isRaised {
                do {
                    if connection == nil {
                        let opened = try Connection(conninfo: conninfo, applicationName: "touchstone-listener")
                        try opened.listen(eventsChannel)
                        connection = opened
                        continuation.yield()
                    }
                    _ = try connection?.waitForNotifications(timeout: pollInterval)
                    continuation.yield()
                } catch {
                    logger.warning("event listener lost its connection", metadata: ["error": "\(error)"])
                    connection = nil
                    Thread.sleep(forTimeInterval: pollInterval)
                }
            }
            continuation.finish()
        }
        thread.name = "touchstone.listener"
        thread.start()
    }

    /// Stops the listener thread (within one poll interval).
    public func stop() {
        stopped.raise()
    }
}

/// A flag one thread raises and another reads.
final class StopFlag: Sendable {
    private let raised = Atomic(false)
    var isRaised: Bool { raised.load(ordering: .acquiring) }
    func raise() { raised.store(true, ordering: .releasing) }
}
