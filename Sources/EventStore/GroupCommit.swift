import PQ
import Synchronization

/// One stream's part of an append that passed ``EventStore/checked(_:expecting:)``, with its
/// events' metadata as JSON text.
struct CheckedAppend: Sendable {
    var part: StreamAppend
    var metadata: [String]
}

/// Group commit: appends that callers make at the same time to different streams go to the
/// database together, as one statement (``EventStore/appendStatement(_:)``) in one transaction.
///
/// A transaction's fixed costs (the round trip, its snapshot, the commit) are most of what a
/// one-event append costs; a group pays them once. Each append of a group is still checked
/// against its own expected version, claims and event ids, and answers on its own:
/// - a part whose stream was not at its expected version wrote nothing and is tried again
///   alone, which tells a conflict from a replay as a lone append does (a part whose ids are new
///   cannot be a replay: it fails with the conflict at once);
/// - an error the server raises for the group's statement (a stored event id, a taken claim, a
///   payload it refuses) rolls the whole group back, and each of its appends is then tried
///   alone, so only the one at fault fails;
/// - any other failure (a lost connection) fails every append of the group, as it would fail
///   each of them alone.
///
/// Nothing waits for company. When no committer is at work, an append starts one at once;
/// otherwise it waits for the next group, which takes every append queued meanwhile: one per
/// stream (a later one to the same stream waits for the group after, so a stream's appends keep
/// their order), at most ``maximumEvents`` events in all. A committer keeps its connection while
/// appends wait, and takes the next group on that connection's thread as soon as the last one's
/// commit answers. One committer at a time makes the groups larger, so each append costs both
/// sides less CPU than with two alternating; a second one (up to `groupsInFlight`) starts only
/// when no group has been taken for ``stall``: the one at work is held up (by a lock another
/// transaction holds, a slow disk), and the appends behind it need not wait for it.
final class GroupCommit: Sendable {
    /// The most events one group takes.
    static let maximumEvents = EventStore.maximumBatchSize

    private struct Waiting: Sendable {
        let append: CheckedAppend
        let continuation: CheckedContinuation<AppendResult, any Error>
    }

    /// How long committers may go without taking a group before an append starts one more.
    static let stall: Duration = .milliseconds(5)

    private struct Queue {
        var waiting: [Waiting] = []
        var committing = 0
        /// When a committer last started or took a group.
        var lastTaken = ContinuousClock.now
    }

    private let pool: ConnectionPool
    private let signal: CommitSignal
    private let groupsInFlight: Int
    private let queue = Mutex(Queue())

    init(pool: ConnectionPool, signal: CommitSignal, groupsInFlight: Int) {
        precondition(groupsInFlight > 0, "at least one group must be able to commit")
        self.pool = pool
        self.signal = signal
        self.groupsInFlight = groupsInFlight
    }

    /// Appends `append` in the next group, and answers its own result.
    func append(_ append: CheckedAppend) async throws -> AppendResult {
        try await withCheckedThrowingContinuation { continuation in
            let starts = queue.withLock { queue in
                queue.waiting.append(Waiting(append: append, continuation: continuation))
                let now = ContinuousClock.now
                guard queue.committing < groupsInFlight,
                    queue.committing == 0 || now - queue.lastTaken > Self.stall
                else { return false }
                queue.committing += 1
                queue.lastTaken = now
                return true
            }
            if starts { Task { await self.commitWhileWaiting() } }
        }
    }

    /// One committer's turn: it leases a connection and, on that connection's thread, commits
    /// group after group until nothing waits. Between two groups nothing hops threads: the next
    /// group is taken as soon as the last one's commit answers.
    private func commitWhileWaiting() async {
        while true {
            do {
                let turnEnded = try await pool.withConnection { connection in self.commitGroups(on: connection) }
                if turnEnded { return }
                // The connection broke under a group, which failed: the next group leases a new one.
            } catch {
                // No connection (every one in use for too long, or the pool closed): the group that
                // would have gone fails with it, as it would alone.
                guard let group = nextGroup() else { return }
                for waiting in group { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// Commits groups on `connection` until the queue is empty (true) or the connection broke (false).
    private func commitGroups(on connection: Connection) -> Bool {
        while let group = nextGroup() {
            commit(group, on: connection)
            guard connection.isAlive else { return false }
        }
        return true
    }

    /// Takes the next group from the queue, or, when nothing waits, ends this committer's turn.
    private func nextGroup() -> [Waiting]? {
        queue.withLock { queue in
            var group = [Waiting]()
            var later = [Waiting]()
            var streams = Set<StreamID>()
            var events = 0
            for waiting in queue.waiting {
                let part = waiting.append.part
                if !group.isEmpty && (streams.contains(part.stream) || events + part.events.count > Self.maximumEvents)
                {
                    later.append(waiting)
                } else {
                    group.append(waiting)
                    streams.insert(part.stream)
                    events += part.events.count
                }
            }
            queue.waiting = later
            if group.isEmpty {
                queue.committing -= 1
            } else {
                queue.lastTaken = .now
            }
            return group.isEmpty ? nil : group
        }
    }

    private func commit(_ group: [Waiting], on connection: Connection) {
        guard group.count > 1 else {
            commitAlone(group[0], on: connection)
            return
        }
        // In stream order, so two groups committing at once mostly take the streams' rows in the
        // same order. A deadlock that is left (the two touch the same streams through different
        // kinds of expected version) is broken by the server, and both groups' appends then go alone.
        let group = group.sorted { $0.append.part.stream.description < $1.append.part.stream.description }
        let results: [AppendResult?]
        var refused = false
        do {
            results = try EventStore.appendParts(group.map(\.append), on: connection)
        } catch let error as PQError where error.kind == .server {
            // Something in the group was refused, and nothing of it was written: each goes alone.
            results = Array(repeating: nil, count: group.count)
            refused = true
        } catch {
            let error = Connection.liveness(of: error, on: connection)
            for waiting in group { waiting.continuation.resume(throwing: error) }
            return
        }
        if results.contains(where: { $0 != nil }) { signal.poke() }
        for (waiting, result) in zip(group, results) {
            let part = waiting.append.part
            if let result {
                waiting.continuation.resume(returning: result)
            } else if part.newIDs && !refused {
                // Its stream was not at the expected version, and its new ids cannot be a replay.
                waiting.continuation.resume(
                    throwing: EventStoreError.versionConflict(
                        stream: part.stream.description, expected: part.expected, actual: -1))
            } else {
                commitAlone(waiting, on: connection)
            }
        }
    }

    private func commitAlone(_ waiting: Waiting, on connection: Connection) {
        do {
            let result = try EventStore.runAppend(waiting.append, on: connection)
            if !result.replayed { signal.poke() }
            waiting.continuation.resume(returning: result)
        } catch {
            waiting.continuation.resume(throwing: Connection.liveness(of: error, on: connection))
        }
    }
}
