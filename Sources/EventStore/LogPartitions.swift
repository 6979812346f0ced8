import Foundation
public import Logging
public import PQ
public import ServiceLifecycle

/// Keeps partitions of the log ready ahead of the positions being handed out (`events` is
/// range-partitioned by position, see `Schema/0012`), as a ServiceLifecycle service of
/// `touchstone serve` and `project`: it asks `ensure_event_partitions()` at start and then every
/// `interval` seconds. With the default size (10 million positions a partition) and two partitions
/// kept ready, a check a minute is ample.
public final class LogPartitions: Service, Sendable {
    private let pool: ConnectionPool
    private let interval: Duration
    private let logger: Logger

    /// Maintenance on `pool`, every `interval`.
    public init(pool: ConnectionPool, interval: Duration = .seconds(60), logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    /// Makes the partitions that keep the configured number ready above the highest position handed
    /// out (and gives every partition the log's grants); answers how many it made.
    public static func ensure(on connection: Connection) throws -> Int {
        let made: Int32 = try connection.query("SELECT ensure_event_partitions()").first?.decode(0) ?? 0
        return Int(made)
    }

    /// The tables that hold the log's rows: its partitions (in the order of their positions), or
    /// `events` itself when it is not partitioned.
    public static func tables(on connection: Connection) throws -> [String] {
        let partitions: [String] = try connection.query(
            """
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'events'::regclass
             ORDER BY substring(c.relname FROM '[0-9]+$')::numeric NULLS FIRST, c.relname
            """
        ).rows.map { try $0.decode(0) }
        return partitions.isEmpty ? ["events"] : partitions
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let made = try await self.pool.withConnection { try Self.ensure(on: $0) }
                    if made > 0 { self.logger.info("log partitions made", metadata: ["log.partitions": "\(made)"]) }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("log partitions not checked", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }
}
