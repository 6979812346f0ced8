import Dispatch
public import Logging
import Synchronization

/// A fixed-size pool of libpq connections.
///
/// Each connection is bound to a serial dispatch queue of its own, so its
/// blocking libpq calls run on those threads and never on Swift's cooperative
/// pool. Connections are opened lazily; one found broken (server restarted,
/// network lost) is dropped and reopened on its next lease, so the pool
/// recovers by itself while the caller that hit the break gets a
/// ``PQError`` of kind `connectionLost`.
///
/// When every connection is leased, callers wait in a queue, first come first served. The wait is
/// bounded: a caller that gets no connection within ``leaseTimeout``, or that finds
/// ``maximumWaiting`` callers already queued, gets a ``PQError`` of kind `poolExhausted` at
/// once instead of queueing for ever; a cancelled task leaves the queue with `CancellationError`.
public final class ConnectionPool: Sendable {
    /// Where and how to connect.
    public let conninfo: String
    /// The number of connections at most.
    public let size: Int
    /// Session settings every connection of the pool gets when it opens (e.g.
    /// `statement_timeout`); see ``Connection/init(conninfo:applicationName:settings:)``.
    public let settings: [String: String]
    /// How long a caller waits for a free connection at most (nil: without limit).
    public let leaseTimeout: Duration?
    /// How many callers may wait for a connection at once (nil: without limit).
    public let maximumWaiting: Int?
    private let applicationName: String
    private let logger: Logger
    private let state: Mutex<State>

    /// What the pool is doing now and what it has done so far, for metrics.
    public struct Usage: Sendable, Equatable {
        /// Connections leased now.
        public var inUse: Int
        /// Callers waiting for a connection now.
        public var waiting: Int
        /// Leases that had to wait, since the pool was made.
        public var waits: Int
        /// Callers refused because no connection came within the lease timeout or the queue was full.
        public var exhausted: Int
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<PooledConnection, any Error>
    }

    private struct State {
        var idle: [PooledConnection]
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var closed = false
        var waits = 0
        var exhausted = 0
    }

    /// Creates a pool of `size` connections to `conninfo` (a libpq URI or
    /// keyword string), each given the session `settings` when it opens. No
    /// connection is opened until first used. A lease waits at most `leaseTimeout` and at most
    /// `maximumWaiting` callers wait at once (nil: no limit).
    public init(
        conninfo: String, size: Int = 8, applicationName: String = "touchstone", settings: [String: String] = [:],
        leaseTimeout: Duration? = nil, maximumWaiting: Int? = nil, logger: Logger
    ) {
        precondition(size > 0, "a pool needs at least one connection")
        self.conninfo = conninfo
        self.size = size
        self.settings = settings
        self.leaseTimeout = leaseTimeout
        self.maximumWaiting = maximumWaiting
        self.applicationName = applicationName
        self.logger = logger
        state = Mutex(State(idle: (0..<size).map { PooledConnection(label: "touchstone.pq.\($0)") }))
    }

    /// What the pool is doing now.
    public var usage: Usage {
        state.withLock { state in
            Usage(
                inUse: state.closed ? 0 : size - state.idle.count, waiting: state.waiters.count, waits: state.waits,
                exhausted: state.exhausted)
        }
    }

    /// Runs `body` with a leased connection on that connection's own thread.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let slot = try await lease()
        defer { release(slot) }
        return try await slot.run(
            conninfo: conninfo, applicationName: applicationName, settings: settings, logger: logger, body)
    }

    /// Runs `body` inside a transaction on a leased connection.
    @discardableResult
    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withConnection { connection in try connection.transaction(body) }
    }

    /// Refuses new leases, fails waiters and closes idle connections; leased
    /// connections close when they come back.
    public func close() {
        let (waiters, idle) = state.withLock { state in
            state.closed = true
            defer {
                state.waiters = []
                state.idle = []
            }
            return (state.waiters, state.idle)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PQError(kind: .poolClosed, message: "the connection pool is closed"))
        }
        for slot in idle { slot.close() }
    }

    private func lease() async throws -> PooledConnection {
        let id = state.withLock { state in
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome: Result<PooledConnection, any Error>? = state.withLock { state in
                    if state.closed {
                        return .failure(PQError(kind: .poolClosed, message: "the connection pool is closed"))
                    }
                    if let slot = state.idle.popLast() { return .success(slot) }
                    // Checked under the lock that `giveUp` takes: a cancellation either comes before
                    // this (and is seen here) or finds the waiter queued.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let maximumWaiting, state.waiters.count >= maximumWaiting {
                        state.exhausted += 1
                        return .failure(
                            PQError(
                                kind: .poolExhausted,
                                message: "every connection is in use and \(maximumWaiting) callers already wait"))
                    }
                    state.waits += 1
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome {
                    continuation.resume(with: outcome)
                } else if let leaseTimeout {
                    Task { [weak self] in
                        try? await Task.sleep(for: leaseTimeout)
                        self?.giveUp(
                            id,
                            with: PQError(
                                kind: .poolExhausted,
                                message: "no connection became free within the lease timeout (\(leaseTimeout))"))
                    }
                }
            }
        } onCancel: {
            giveUp(id, with: CancellationError())
        }
    }

    /// Takes waiter `id` out of the queue, if it still waits, and fails it with `error`.
    private func giveUp(_ id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            if error is PQError { state.exhausted += 1 }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func release(_ slot: PooledConnection) {
        let (waiter, closed) = state.withLock { state -> (Waiter?, Bool) in
            if state.closed { return (nil, true) }
            if !state.waiters.isEmpty { return (state.waiters.removeFirst(), false) }
            state.idle.append(slot)
            return (nil, false)
        }
        if closed { slot.close() }
        waiter?.continuation.resume(returning: slot)
    }
}

/// One pool slot: a serial queue and the connection that lives on it.
private final class PooledConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    /// Touched only on `queue`.
    private var connection: Connection?

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(
        conninfo: String, applicationName: String, settings: [String: String], logger: Logger,
        _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        let current: Connection
                        if let open = self.connection, open.isAlive {
                            current = open
                        } else {
                            if self.connection != nil {
                                logger.warning("reconnecting a broken database connection")
                            }
                            self.connection = nil
                            current = try Connection(
                                conninfo: conninfo, applicationName: applicationName, settings: settings)
                            self.connection = current
                        }
                        do {
                            return try body(current)
                        } catch {
                            if !current.isAlive {
                                self.connection = nil
                            } else if current.inTransaction {
                                _ = try? current.execute("ROLLBACK")
                            }
                            throw Connection.liveness(of: error, on: current)
                        }
                    })
            }
        }
    }

    func close() {
        queue.async { self.connection = nil }
    }
}

extension Connection {
    /// Marks an error as `connectionLost` when the connection it came from broke.
    public static func liveness(of error: any Error, on connection: Connection) -> any Error {
        guard !connection.isAlive, var failure = error as? PQError, failure.kind != .connectionLost else {
            return error
        }
        failure.kind = .connectionLost
        return failure
    }
}
