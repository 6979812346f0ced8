import Dispatch
import PQ
import Synchronization

/// Connections that work through a list of jobs together, each on a thread
/// of its own (libpq calls block; these are dispatch threads, never Swift's
/// cooperative pool), each taking the next job as it finishes one.
///
/// Unchecked: a `Connection` is not `Sendable`; each one here is only ever
/// used by its own member's thread, one at a time.
struct Crew: @unchecked Sendable {
    /// One connection per member, each outside a transaction.
    let connections: [Connection]

    /// Runs `body` once for every job and returns when all are done. After a
    /// job fails no member takes another, and the first error is rethrown.
    func perform<Job: Sendable>(_ jobs: [Job], _ body: @Sendable (Job, Connection) throws -> Void) throws {
        let next = Mutex(0)
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: min(connections.count, jobs.count)) { member in
            while failure.withLock({ $0 == nil }) {
                let index = next.withLock { index in
                    defer { index += 1 }
                    return index
                }
                guard index < jobs.count else { return }
                do {
                    try body(jobs[index], connections[member])
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
