import Access
import ArgumentParser
import EventStore
import HTTPAPI
import Hummingbird
import Logging
import Metrics
import PQ
import Projections
import Prometheus
import Recording
import ServiceLifecycle
import UnixSignals

/// `touchstone serve`: the HTTP API and the projection runner as one ServiceLifecycle group.
///
/// Pointed at a hot standby (``ServingMode/replica``, found by `pg_is_in_recovery()` at start) it
/// serves the reads only: writing routes answer 503 `read-only-replica`, and neither the
/// projection runner nor the partitions' upkeep nor the token listener runs.
///
/// On SIGTERM or SIGINT the group shuts its services down in reverse order: ``ShutdownDrain``
/// turns `/readyz` to 503 at once and waits `TOUCHSTONE_DRAIN_DELAY`; the HTTP server then
/// refuses new connections and lets the requests in flight finish; then the projection runner
/// commits its batch and releases its locks; last the pool closes.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API.")

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "Database connections in the pool.")
    var connections = 16

    func run() async throws {
        let logger = DatabaseEnvironment.logger("touchstone.serve")
        let settings = try ServeSettings()
        let stateCacheBytes = try DatabaseEnvironment.stateCacheBytes()
        // Request connections: a statement past the timeout is cancelled (the request answers 503)
        // instead of holding a connection and a core; the runner has connections of its own.
        let pool = ConnectionPool(
            conninfo: try DatabaseEnvironment.runtimeURL(), size: connections,
            settings: ["statement_timeout": settings.statementTimeoutSetting],
            leaseTimeout: ServeSettings.limit(settings.poolLeaseTimeout), maximumWaiting: settings.poolMaximumWaiting,
            logger: logger)
        defer { pool.close() }
        let personalData = try await DatabaseEnvironment.personalData(on: pool)
        let mode = try await Self.mode(of: pool)
        // A standby cannot LISTEN: on a replica every token is checked in the database.
        let recentTokens =
            mode == .primary
            ? RecentTokens(
                store: TokenStore(pool: pool), conninfo: try DatabaseEnvironment.runtimeURL(), logger: logger)
            : nil
        defer { recentTokens?.stop() }
        // The event store reports its appends through swift-metrics into the registry `/metrics`
        // serves; the backend must be in place before the store is made.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let dependencies = APIDependencies(
            pool: pool, personalData: personalData, logger: logger, tokens: recentTokens ?? TokenStore(pool: pool),
            metrics: registry, states: DeciderStateCache(budgetBytes: stateCacheBytes), mode: mode)
        let application = buildApplication(
            dependencies, host: host, port: port,
            timeouts: HTTPTimeouts(
                idle: ServeSettings.limit(settings.idleTimeout),
                requestRead: ServeSettings.limit(settings.requestReadTimeout)))
        let drain = ShutdownDrain(readiness: dependencies.readiness, delay: settings.drainDelay, logger: logger)
        // Shut down in reverse order: the drain first, the runner and the partitions' upkeep last.
        // A replica runs neither: its read models and partitions arrive by replication.
        var services: [any Service] = [application, drain]
        if mode == .primary {
            let runner = ProjectionRunner(
                pool: pool, conninfo: try DatabaseEnvironment.runtimeURL(), personalData: personalData, logger: logger)
            services.insert(contentsOf: [LogPartitions(pool: pool, logger: logger), runner] as [any Service], at: 0)
        } else {
            logger.info("the database is a hot standby: serving reads only, no projection runner")
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("shut down: closing the database pool")
    }

    /// Whether the database of `pool` is a primary or a hot standby (`pg_is_in_recovery()`).
    /// - Throws: exit 1 with a one-line message when the database does not answer.
    private static func mode(of pool: ConnectionPool) async throws -> ServingMode {
        do {
            return try await pool.withConnection { try ServingMode.detect(on: $0) }
        } catch let error as PQError {
            throw fail("database error: \(error.message)")
        }
    }
}
