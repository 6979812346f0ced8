import Access
import ArgumentParser
import HTTPAPI
import Hummingbird
import PQ
import Projections
import Recording
import ServiceLifecycle

/// `touchstone serve`: the HTTP API, shut down gracefully on SIGTERM or SIGINT (in-flight
/// requests finish, then the pool closes).
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
        let stateCacheBytes = try DatabaseEnvironment.stateCacheBytes()
        // Request connections: a statement past the timeout is cancelled (the request answers 503)
        // instead of holding a connection and a core; the runner has connections of its own.
        let pool = ConnectionPool(
            conninfo: try DatabaseEnvironment.runtimeURL(), size: connections,
            settings: ["statement_timeout": try DatabaseEnvironment.statementTimeout()], logger: logger)
        defer { pool.close() }
        let personalData = try await DatabaseEnvironment.personalData(on: pool)
        let tokens = RecentTokens(
            store: TokenStore(pool: pool), conninfo: try DatabaseEnvironment.runtimeURL(), logger: logger)
        defer { tokens.stop() }
        let dependencies = APIDependencies(
            pool: pool, personalData: personalData, logger: logger, tokens: tokens,
            states: DeciderStateCache(budgetBytes: stateCacheBytes))
        let application = buildApplication(dependencies, host: host, port: port)
        let runner = ProjectionRunner(pool: pool, conninfo: try DatabaseEnvironment.runtimeURL(), logger: logger)
        let services: [any Service] = [application, runner]
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            dependencies.readiness.stopAccepting()
        }
    }
}
