public import Access
public import Logging
public import PQ

/// The read models as the HTTP API and the command line use them: a report runs on a connection
/// of this facade's pool with the clients' data keys (names and texts are opened with them), a
/// report that raced a generation swap runs once more against the new tables, and a rebuild
/// asked for over HTTP runs as a job of ``RebuildJobs``.
public struct ReadModels: Sendable {
    /// The pool reports run on.
    public let pool: ConnectionPool
    /// The keys that open personal values in answers.
    public let personalData: PersonalDataKeys
    /// Where started rebuilds run; a service of the application that serves the reports.
    public let rebuilds: RebuildJobs
    private let logger: Logger

    /// The read models on `pool`, opening personal values with `personalData`.
    public init(pool: ConnectionPool, personalData: PersonalDataKeys, logger: Logger) {
        self.pool = pool
        self.personalData = personalData
        self.logger = logger
        rebuilds = RebuildJobs(pool: pool, logger: logger)
    }

    /// Runs a report on a pooled connection. A rebuild that swaps in a new generation drops the
    /// old tables; a report that looked the old ones up just before (`42P01`) is run once more
    /// against the new ones.
    public func read<T: Sendable>(
        _ report: @escaping @Sendable (Connection, PersonalDataKeys) throws -> T
    ) async throws
        -> T
    {
        let personalData = personalData
        do {
            return try await pool.withConnection { connection in try report(connection, personalData) }
        } catch let error as PQError where error.sqlState == "42P01" {
            return try await pool.withConnection { connection in try report(connection, personalData) }
        }
    }

    /// Every read model's status.
    public func statuses() async throws -> [ProjectionStatus] {
        try await read { connection, _ in try ProjectionStatus.all(on: connection) }
    }

    /// Rebuilds `projections` together now (each batch of the log is read once for all of
    /// them), on a connection of the pool and `connections - 1` more of its own, and answers each
    /// one's outcome: what `touchstone projections rebuild` runs in the foreground, where
    /// ``startRebuild(named:)`` starts a job. The directory's names are opened with the data keys.
    /// - Throws: ``ProjectionError`` (a rebuild of one of them already running, …).
    public func rebuild(_ projections: [Projection], connections: Int) async throws -> [RebuildOutcome] {
        let rebuild = ProjectionRebuild(projections: projections, personalData: personalData, logger: logger)
        let conninfo = pool.conninfo
        return try await pool.withConnection { connection in
            try rebuild.run(
                on: connection,
                helpers: (0..<max(connections - 1, 0)).map { _ in
                    try Connection(conninfo: conninfo, applicationName: "touchstone-rebuild")
                })
        }
    }

    /// Starts a rebuild of the read model `name` as a job of ``rebuilds`` and answers its status
    /// as the rebuild begins (`rebuilding`, nothing done yet).
    /// - Throws: ``ProjectionError/unknownProjection(_:)``, ``ProjectionError/rebuildRunning(_:)``.
    public func startRebuild(named name: String) async throws -> ProjectionStatus {
        guard let projection = Projection.named(name) else { throw ProjectionError.unknownProjection(name) }
        let (before, running) = try await read { connection, _ in
            (try ProjectionStatus.all(on: connection), try ProjectionRebuild.isRunning(projection, on: connection))
        }
        guard let status = before.first(where: { $0.name == name }), !running else {
            throw ProjectionError.rebuildRunning(name)
        }
        rebuilds.start(
            ProjectionRebuild(projection: projection, personalData: personalData, logger: logger), named: name)
        var accepted = status
        accepted.state = "rebuilding"
        accepted.rebuild = ProjectionStatus.Rebuild(
            eventsDone: 0, eventsTotal: status.position + status.lagEvents, eventsPerSecond: 0, etaSeconds: nil)
        return accepted
    }
}
