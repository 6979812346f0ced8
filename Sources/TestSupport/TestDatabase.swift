import EventStore
import Logging
import PQ

/// A fresh, migrated database of the test cluster with a pool and a store.
public struct TestDatabase: Sendable {
    /// Its connection URL.
    public let url: String
    /// A pool on it.
    public let pool: ConnectionPool
    /// An event store on the pool.
    public let store: EventStore

    /// Creates a new database (migrated unless told otherwise).
    public static func make(migrated: Bool = true, poolSize: Int = 8) async throws -> TestDatabase {
        let url = try await TestCluster.shared.makeDatabase(migrated: migrated)
        var logger = Logger(label: "touchstone.test")
        logger.logLevel = .warning
        let pool = ConnectionPool(conninfo: url, size: poolSize, logger: logger)
        return TestDatabase(url: url, pool: pool, store: EventStore(pool: pool, logger: logger))
    }

    /// A logger for tests: warnings and worse.
    public static var logger: Logger {
        var logger = Logger(label: "touchstone.test")
        logger.logLevel = .warning
        return logger
    }
}
