import EventStore
import Foundation
import Logging
import PQ

/// A blue/green rebuild of one read model from the whole log.
///
/// The new generation's tables are filled from position 0 in batches (the
/// registry row records progress) while the live generation keeps serving
/// and keeps being updated by the runner. At the end, in one transaction
/// that locks both registry rows, both generations are brought to the same
/// position, compared table by table (row count and sums of per-row hashes,
/// order-independent) and swapped when they match or the code's version went up; the old
/// tables are dropped in the same transaction. A mismatch at the same
/// version drops the new tables, records the error on the live row and
/// leaves the live generation untouched. A rebuild that was killed leaves a
/// `rebuilding` row that the next rebuild drops before starting over.
public struct ProjectionRebuild: Sendable {
    /// The first key of the rebuild lock (two-int form; the second is the projection's).
    static let lockClass: Int32 = 0x7473_7262
    /// The read model to rebuild.
    public let projection: Projection
    /// Positions per batch.
    public let batchSize: Int64
    let logger: Logger

    /// A rebuild of `projection` in batches of `batchSize` positions.
    public init(projection: Projection, batchSize: Int64 = 50_000, logger: Logger) {
        self.projection = projection
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Whether a rebuild of `projection` runs now in any process (a `rebuilding` row left by a
    /// killed rebuild does not count: the next rebuild drops it).
    public static func isRunning(_ projection: Projection, on connection: Connection) throws -> Bool {
        let free: Bool = try connection.query(
            "SELECT pg_try_advisory_lock(\(lockClass), \(projection.lockKey))"
        ).first?.decode(0) ?? false
        if free { try connection.execute("SELECT pg_advisory_unlock(\(lockClass), \(projection.lockKey))") }
        return !free
    }

    /// Runs the rebuild to its end on `connection` (outside a transaction).
    /// - Throws: ``ProjectionError/rebuildRunning(_:)`` when another rebuild of it runs.
    public func run(on connection: Connection) throws -> RebuildOutcome {
        let locked: Bool = try connection.query(
            "SELECT pg_try_advisory_lock(\(Self.lockClass), \(projection.lockKey))"
        ).first?.decode(0) ?? false
        guard locked else { throw ProjectionError.rebuildRunning(projection.name) }
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.lockClass), \(projection.lockKey))") }

        _ = try ProjectionRegistry.live(projection, on: connection)
        var rebuilt = try connection.transaction { connection in
            if let stale = try ProjectionRegistry.find(projection.name, state: "rebuilding", lock: true, on: connection) {
                logger.warning(
                    "dropping an interrupted rebuild",
                    metadata: ["projection.name": "\(projection.name)", "projection.generation": "\(stale.generation)"])
                try ProjectionRegistry.drop(stale, on: connection)
            }
            let generation = try ProjectionRegistry.create(projection, state: "rebuilding", on: connection)
            return ProjectionGeneration(
                name: projection.name, version: projection.version, generation: generation, position: 0)
        }
        logger.info(
            "rebuild started",
            metadata: ["projection.name": "\(projection.name)", "projection.generation": "\(rebuilt.generation)"])

        while true {
            let horizon = try EventStore.safePosition(on: connection)
            if rebuilt.position >= horizon { break }
            try connection.transaction { connection in
                try ProjectionRegistry.apply(
                    projection, to: &rebuilt, upTo: min(horizon, rebuilt.position + batchSize), on: connection)
                try connection.execute(
                    """
                    UPDATE readmodels.projection_state SET rebuild_target = \(horizon)
                     WHERE name = \(projection.name) AND generation = \(rebuilt.generation)
                    """)
            }
        }
        return try swap(&rebuilt, on: connection)
    }

    private func swap(_ rebuilt: inout ProjectionGeneration, on connection: Connection) throws -> RebuildOutcome {
        let horizon = try EventStore.safePosition(on: connection)
        var final = rebuilt
        let outcome = try connection.transaction { connection -> RebuildOutcome in
            guard var live = try ProjectionRegistry.find(projection.name, state: "live", lock: true, on: connection)
            else { throw ProjectionError.unknownProjection(projection.name) }
            _ = try ProjectionRegistry.find(projection.name, state: "rebuilding", lock: true, on: connection)
            let sameVersion = live.version == projection.version
            let target = max(horizon, live.position, final.position)
            if sameVersion {
                try ProjectionRegistry.apply(projection, to: &live, upTo: target, on: connection)
            }
            try ProjectionRegistry.apply(projection, to: &final, upTo: target, on: connection)
            let rebuiltSums = try ProjectionRegistry.checksum(final, of: projection, on: connection)
            let liveProjection = projection.withVersion(live.version)
            let liveSums = sameVersion ? try ProjectionRegistry.checksum(live, of: liveProjection, on: connection) : []
            let matched = sameVersion && liveSums == rebuiltSums
            guard matched || live.version < projection.version else {
                return .mismatch(live: liveSums, rebuilt: rebuiltSums)
            }
            try ProjectionRegistry.drop(live, on: connection)
            try connection.execute(
                """
                UPDATE readmodels.projection_state
                   SET state = 'live', rebuild_started_at = NULL, rebuild_target = NULL, updated_at = now()
                 WHERE name = \(projection.name) AND generation = \(final.generation)
                """)
            return .swapped(generation: final.generation, position: final.position, checksumMatched: matched)
        }
        rebuilt = final
        if case .mismatch(let live, let rebuiltSums) = outcome {
            let message = "rebuilt generation differs from the live one at version \(projection.version)"
            logger.error(
                "\(message)",
                metadata: [
                    "projection.name": "\(projection.name)", "projection.live": "\(live)",
                    "projection.rebuilt": "\(rebuiltSums)",
                ])
            try connection.transaction { connection in
                try ProjectionRegistry.drop(rebuilt, on: connection)
                try connection.execute(
                    """
                    UPDATE readmodels.projection_state SET last_rebuild_error = \(message)
                     WHERE name = \(projection.name) AND state = 'live'
                    """)
            }
        } else {
            logger.info(
                "rebuild swapped in",
                metadata: ["projection.name": "\(projection.name)", "projection.generation": "\(rebuilt.generation)"])
        }
        return outcome
    }
}
