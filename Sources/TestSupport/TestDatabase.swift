public import Access
public import EventStore
public import Logging
public import PQ

/// A fresh, migrated database of the test cluster with a pool, a store, and the data keys of its
/// clients under a master key made for it.
public struct TestDatabase: Sendable {
    /// Its connection URL.
    public let url: String
    /// A pool on it.
    public let pool: ConnectionPool
    /// An event store on the pool.
    public let store: EventStore
    /// The clients' data keys, wrapped by `masterKey`.
    public let personalData: PersonalDataKeys
    /// The master key this database's data keys are wrapped by.
    public var masterKey: MasterKey { personalData.masterKeys.current }

    /// Creates a new database (migrated unless told otherwise) on `cluster`.
    public static func make(
        migrated: Bool = true, poolSize: Int = 8, on cluster: TestCluster = .shared
    ) async throws
        -> TestDatabase
    {
        let url = try await cluster.makeDatabase(migrated: migrated)
        var logger = Logger(label: "touchstone.test")
        logger.logLevel = .warning
        let pool = ConnectionPool(conninfo: url, size: poolSize, logger: logger)
        return TestDatabase(
            url: url, pool: pool, store: EventStore(pool: pool, logger: logger),
            personalData: PersonalDataKeys(masterKeys: MasterKeyring(current: .random())))
    }

    /// A logger for tests: warnings and worse.
    public static var logger: Logger {
        var logger = Logger(label: "touchstone.test")
        logger.logLevel = .warning
        return logger
    }
}
