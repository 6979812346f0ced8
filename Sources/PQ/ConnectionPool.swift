import Dispatch
import Logging
import Synchronization

/// A fixed-size pool of libpq connections.
///
/// Each connection is bound to a serial dispatch queue of its own, so its
/// blocking libpq calls run on those threads and never on Swift's cooperative
/// pool. Connections are opened lazily; one found broken (server restarted,
/// network lost) is dropped and reopened on its next lease, so the pool
/// recovers by itself while the caller that hit the break gets a
/// ``PQError`` of kind `connectionLost`.
public final class ConnectionPool: Sendable {
    /// Where and how to connect.
    public let conninfo: String
    /// The number of connections at most.
    public let size: Int
    /// Session settings every connection of the pool gets when it opens (e.g.
    /// `statement_timeout`); see ``Connection/init(conninfo:applicationName:settings:)``.
    public let settings: [String: String]
    private let applicationName: String
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var idle: [PooledConnection]
        var waiters: [CheckedContinuation<PooledConnection, any Error>] = []
        var closed = false
    }

    /// Creates a pool of `size` connections to `conninfo` (a libpq URI or
    /// keyword string), each given the session `settings` when it opens. No
    /// connection is opened until first used.
    public init(
        conninfo: String, size: Int = 8, applicationName: String = "touchstone", settings: [String: String] = [:],
        logger: Logger
    ) {
        precondition(size > 0, "a pool needs at least one connection")
        self.conninfo = conninfo
        self.size = size
        self.settings = settings
        self.applicationName = applicationName
        self.logger = logger
        state = Mutex(State(idle: (0..<size).map { PooledConnection(label: "touchstone.pq.\($0)") }))
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
            waiter.resume(throwing: PQError(kind: .poolClosed, message: "the connection pool is closed"))
        }
        for slot in idle { slot.close() }
    }

    private func lease() async throws -> PooledConnection {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<PooledConnection, PQError>? = state.withLock { state in
                if state.closed {
                    return .failure(PQError(kind: .poolClosed, message: "the connection pool is closed"))
                }
                if let slot = state.idle.popLast() { return .success(slot) }
                state.waiters.append(continuation)
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    private func release(_ slot: PooledConnection) {
        let (waiter, closed) = state.withLock { state -> (CheckedContinuation<PooledConnection, any Error>?, Bool) in
            if state.closed { return (nil, true) }
            if !state.waiters.isEmpty { return (state.waiters.removeFirst(), false) }
            state.idle.append(slot)
            return (nil, false)
        }
        if closed { slot.close() }
        waiter?.resume(returning: slot)
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
    static func liveness(of error: any Error, on connection: Connection) -> any Error {
        guard !connection.isAlive, var failure = error as? PQError, failure.kind != .connectionLost else {
            return error
        }
        failure.kind = .connectionLost
        return failure
    }
}
