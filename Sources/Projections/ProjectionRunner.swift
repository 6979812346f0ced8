public import Access
import EventStore
public import Logging
public import PQ
public import ServiceLifecycle
import Synchronization

/// Keeps every read model up to date with the log, as a ServiceLifecycle
/// service that runs until graceful shutdown.
///
/// One runner per projection across all processes: each projection is
/// claimed with `pg_try_advisory_lock(int, int)` on the runner's own
/// connection; a runner that does not get it stands by and tries again on
/// every tick. Ticks come from a ``CommitListener`` (NOTIFY, with a slow poll
/// as the safety net). On each tick the runner reads the safe position once
/// and applies batches until every projection reaches it; a live generation
/// filled by an older version of the code is first replaced by a blue/green
/// rebuild. Ticks are at least `minimumTickInterval` apart: under a steady
/// stream of commands each batch takes what arrived meanwhile, instead of a
/// batch (and its fixed cost of about thirty statements) for every few events;
/// and at least ten times as long as the last one worked, up to 250 ms (see
/// ``interval(afterWorking:)``), so a heavy stream is folded in fewer, larger batches.
public final class ProjectionRunner: Service, Sendable {
    /// The first key of the runner's advisory locks (two-int form).
    static let lockClass: Int32 = 0x7473_7072
    private let conninfo: String
    private let projections: [Projection]
    private let batchSize: Int64
    private let pollInterval: Double
    private let minimumTickInterval: Duration
    private let personalData: PersonalDataKeys
    private let logger: Logger
    private let held = Mutex<Set<String>>([])

    /// A runner of ``Projection/all`` against `conninfo`, opening the directory's names with
    /// `personalData`. `pool` serves the reports of this process and is not used for the
    /// runner's own work, which holds a connection of its own.
    public convenience init(pool: ConnectionPool, conninfo: String, personalData: PersonalDataKeys, logger: Logger) {
        self.init(conninfo: conninfo, personalData: personalData, logger: logger)
    }

    /// A runner of `projections` in batches of `batchSize` positions, polling
    /// every `pollInterval` seconds when no NOTIFY comes and working on ticks at least
    /// `minimumTickInterval` apart, opening the directory's names with `personalData` (see
    /// ``ClientNameSearch``).
    public init(
        conninfo: String, projections: [Projection] = Projection.all, batchSize: Int64 = 5_000,
        pollInterval: Double = 1.0, minimumTickInterval: Duration = .milliseconds(50), personalData: PersonalDataKeys,
        logger: Logger
    ) {
        self.conninfo = conninfo
        self.projections = projections
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.minimumTickInterval = minimumTickInterval
        self.personalData = personalData
        self.logger = logger
    }

    /// The projections this runner currently holds.
    public var holding: Set<String> {
        held.withLock { $0 }
    }

    public func run() async throws {
        let listener = CommitListener(conninfo: conninfo, pollInterval: pollInterval, logger: logger)
        let connection = ProjectionConnection(conninfo: conninfo)
        defer {
            listener.stop()
            connection.close()
            held.withLock { $0 = [] }
        }
        await cancelWhenGracefulShutdown {
            for await _ in listener.ticks {
                let began = ContinuousClock.now
                // One safe position for every projection of the tick (nil: each reads its own).
                let horizon = try? await connection.run { connection, _ in try EventStore.safePosition(on: connection) }
                for projection in self.projections {
                    if Task.isCancelled { return }
                    do {
                        try await self.catchUp(projection, to: horizon, on: connection)
                    } catch {
                        self.logger.error(
                            "projection batch failed",
                            metadata: ["projection.name": "\(projection.name)", "error": "\(error)"])
                    }
                }
                try? await Task.sleep(until: began + self.interval(afterWorking: .now - began))
            }
        }
    }

    /// How long after its start the next tick may begin, when this one worked for `work`:
    /// ``idleShare`` times `work`, but at least `minimumTickInterval` and at most
    /// ``longestTickInterval`` (or `minimumTickInterval`, when that is longer). A tick's cost is mostly per batch and per key (every fold table
    /// merges each client once whatever its number of events), so under a heavy stream of
    /// commands fewer, larger batches leave the cores to the commands; a light one is still
    /// folded every `minimumTickInterval`.
    func interval(afterWorking work: Duration) -> Duration {
        min(max(minimumTickInterval, work * Self.idleShare), max(minimumTickInterval, Self.longestTickInterval))
    }

    /// Ticks are at least this many times as long as their work (the runner folds at most a
    /// tenth of the time)…
    static let idleShare = 10
    /// …but no longer apart than this, which bounds the lag a heavy stream of commands adds.
    static let longestTickInterval: Duration = .milliseconds(250)

    private func catchUp(
        _ projection: Projection, to horizon: Int64?, on connection: ProjectionConnection
    ) async throws {
        let owned = try await connection.run { connection, reopened in
            if reopened { self.held.withLock { $0 = [] } }
            if self.held.withLock({ $0.contains(projection.name) }) { return true }
            let locked: Bool =
                try connection.query(
                    "SELECT pg_try_advisory_lock(\(Self.lockClass), \(projection.lockKey))"
                ).first?.decode(0) ?? false
            if locked { self.held.withLock { _ = $0.insert(projection.name) } }
            return locked
        }
        guard owned else { return }
        let (batchSize, personalData, logger) = (self.batchSize, self.personalData, self.logger)
        let live = try await connection.run { connection, _ in try ProjectionRegistry.live(projection, on: connection) }
        if live.version < projection.version {
            logger.info(
                "projection code is newer than its read model: rebuilding",
                metadata: ["projection.name": "\(projection.name)", "projection.version": "\(live.version)"])
            _ = try await connection.run { connection, _ in
                try ProjectionRebuild(
                    projection: projection, batchSize: batchSize, personalData: personalData, logger: logger
                )
                .run(on: connection)
            }
        }
        while !Task.isCancelled {
            // The live generation was made sure of above; a batch that reaches the tick's horizon
            // is the tick's last (asking again would cost a transaction to learn nothing).
            let (advanced, reachedHorizon) = try await connection.run { connection, _ in
                let horizon = try horizon ?? EventStore.safePosition(on: connection)
                let batch = try ProjectionRegistry.applyLiveBatch(
                    projection, batchSize: batchSize, horizon: horizon, personalData: personalData, on: connection)
                return (batch.advanced, batch.position.map { $0 >= horizon } ?? true)
            }
            if advanced == 0 { return }
            logger.debug(
                "projection batch applied",
                metadata: ["projection.name": "\(projection.name)", "projection.advanced": "\(advanced)"])
            if reachedHorizon { return }
        }
    }
}
