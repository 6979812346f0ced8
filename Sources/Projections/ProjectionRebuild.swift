public import Access
import EventStore
import Foundation
public import Logging
public import PQ
import Synchronization

/// A blue/green rebuild of read models from the whole log.
///
/// Each read model's new generation is created without indexes and filled
/// from position 0 in batches while its live generation keeps serving and
/// keeps being updated by the runner. The read models rebuilt together share
/// each batch: one statement (``RebuildFill``) reads the batch's events once
/// and fills every new table, and the batch's transaction moves every new
/// generation's registry row (its progress). After the last batch the tables
/// of current state are folded from the new tables of facts, one statement
/// each (then given their primary keys), and the new tables get their indexes. Then, for each read
/// model, in one transaction that locks both registry rows, both generations
/// are brought to the same position, compared table by table (row count and
/// a sum of per-row hashes, see ``FactTable``) and swapped when they match or
/// the code's version went up; the old tables are dropped in the same
/// transaction. A mismatch at the same version drops the new tables, records
/// the error on the live row and leaves the live generation untouched. A rebuild that was killed leaves
/// `rebuilding` rows that the next rebuild drops before starting over.
/// Batches, indexes and swaps can be shared out among several connections
/// (``Crew``).
public struct ProjectionRebuild: Sendable {
    /// The first key of the rebuild lock (two-int form; the second is the projection's).
    static let lockClass: Int32 = 0x7473_7262
    /// The read models to rebuild, each once.
    public let projections: [Projection]
    /// Positions per batch at most.
    public let batchSize: Int64
    /// The keys the directory's names are opened with (``ClientNameSearch``).
    let personalData: PersonalDataKeys
    let logger: Logger

    /// A rebuild of `projections` together, in batches of `batchSize` positions, opening names
    /// with `personalData`.
    public init(
        projections: [Projection], batchSize: Int64 = 50_000, personalData: PersonalDataKeys, logger: Logger
    ) {
        var seen = Set<String>()
        self.projections = projections.filter { seen.insert($0.name).inserted }
        self.batchSize = batchSize
        self.personalData = personalData
        self.logger = logger
    }

    /// A rebuild of `projection` in batches of `batchSize` positions, opening names with
    /// `personalData`.
    public init(projection: Projection, batchSize: Int64 = 50_000, personalData: PersonalDataKeys, logger: Logger) {
        self.init(projections: [projection], batchSize: batchSize, personalData: personalData, logger: logger)
    }

    /// Whether a rebuild of `projection` runs now in any process (a `rebuilding` row left by a
    /// killed rebuild does not count: the next rebuild drops it).
    public static func isRunning(_ projection: Projection, on connection: Connection) throws -> Bool {
        let free: Bool =
            try connection.query(
                "SELECT pg_try_advisory_lock(\(lockClass), \(projection.lockKey))"
            ).first?.decode(0) ?? false
        if free { try connection.execute("SELECT pg_advisory_unlock(\(lockClass), \(projection.lockKey))") }
        return !free
    }

    /// Runs the rebuild to its end on `connection` (outside a transaction) and returns each read
    /// model's outcome, in ``projections`` order.
    ///
    /// `helpers` are further connections (outside a transaction) the rebuild works on at the same
    /// time as on `connection`, a thread each: batches of the fill, the indexes and the swaps are
    /// shared out among them. The rebuild locks are held by `connection`'s session. Its
    /// connections work without `statement_timeout` and get their own values back at the end.
    /// - Throws: ``ProjectionError/rebuildRunning(_:)`` when another rebuild of one of them runs.
    public func run(on connection: Connection, helpers: [Connection] = []) throws -> [RebuildOutcome] {
        // A rebuild's fill and folds run long on purpose, and it may run on a request connection
        // (the rebuild route), which carries a statement timeout.
        let timeouts = LiftedStatementTimeouts()
        defer { timeouts.restore() }
        try timeouts.lift(on: [connection])
        do {
            return try build(on: connection, helpers: helpers, timeouts: timeouts)
        } catch {
            if case ProjectionError.rebuildRunning = error { throw error }
            recordFailure(error, on: connection)
            throw error
        }
    }

    /// Records on the live rows that this rebuild stopped with `error` (best effort: the
    /// connection may be the thing that broke). The message names no internal error text: that
    /// goes to the log only.
    private func recordFailure(_ error: any Error, on connection: Connection) {
        logger.error(
            "rebuild failed",
            metadata: ["projection.names": "\(projections.map(\.name))", "error": "\(error)"])
        let message = "the rebuild stopped with an error before its swap; the server log has the cause"
        _ = try? connection.execute(
            """
            UPDATE readmodels.projection_state SET last_rebuild_error = \(message), last_rebuild_error_at = now()
             WHERE name = ANY(\(projections.map(\.name))::text[]) AND state = 'live'
            """)
    }

    private func build(
        on connection: Connection, helpers: [Connection], timeouts: LiftedStatementTimeouts
    ) throws
        -> [RebuildOutcome]
    {
        var locked: [Projection] = []
        defer {
            for projection in locked {
                _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.lockClass), \(projection.lockKey))")
            }
        }
        for projection in projections {
            let free: Bool =
                try connection.query(
                    "SELECT pg_try_advisory_lock(\(Self.lockClass), \(projection.lockKey))"
                ).first?.decode(0) ?? false
            guard free else { throw ProjectionError.rebuildRunning(projection.name) }
            locked.append(projection)
        }

        let crew = Crew(connections: [connection] + helpers)
        let clock = ContinuousClock()
        var phaseStart = clock.now
        func finished(_ phase: String) {
            let now = clock.now
            logger.info(
                "rebuild phase done",
                metadata: ["rebuild.phase": "\(phase)", "rebuild.duration": "\(now - phaseStart)"])
            phaseStart = now
        }
        let started = try start(on: connection)
        try timeouts.lift(on: helpers)
        let fill = try RebuildFill(Array(zip(projections, started)), on: connection)
        var position: Int64 = 0
        while true {
            let horizon = try EventStore.safePosition(on: connection)
            if position >= horizon { break }
            // A short log is cut finer, so that every connection has slices to take until the end.
            let pieces = Int64(4 * crew.connections.count)
            let slices: [RebuildFill.Slice]
            if position == 0 {
                // Every event up to the horizon has committed, so its row is on a page that exists
                // now; a slice takes about as many pages of one of the log's tables (its partitions)
                // as `batchSize` positions fill.
                var pageSlices: [RebuildFill.Slice] = []
                for table in try LogPartitions.tables(on: connection) {
                    let layout = try connection.query(
                        """
                        SELECT pg_relation_size(\(table)::regclass) / current_setting('block_size')::bigint,
                               (SELECT count(*) FROM \(identifier: table) WHERE ctid < '(1,0)'::tid)
                        """
                    ).first
                    let pages: Int64 = try layout?.decode(0) ?? 0
                    let perPage = max(1, try layout?.decode(1, as: Int64.self) ?? 1)
                    let length = max(1, min(batchSize / perPage, (pages + pieces - 1) / pieces))
                    pageSlices += stride(from: 0, to: pages, by: Int(length)).map {
                        .pages(of: table, $0..<min(pages, $0 + length), upTo: horizon)
                    }
                }
                slices = pageSlices
            } else {
                let length = max(1, min(batchSize, (horizon - position + pieces - 1) / pieces))
                slices = stride(from: position, to: horizon, by: Int(length)).map {
                    .positions(after: $0, upTo: min(horizon, $0 + length))
                }
            }
            try crew.perform(slices) { slice, connection in
                try fillBatch(slice, of: started, with: fill, target: horizon, on: connection)
            }
            position = horizon
        }
        let filled = position
        for generation in started {
            try connection.execute(
                """
                UPDATE readmodels.projection_state SET position = \(filled), updated_at = now()
                 WHERE name = \(generation.name) AND generation = \(generation.generation)
                """)
        }
        let rebuilt = started.map { generation in
            var rebuilt = generation
            rebuilt.position = filled
            return rebuilt
        }
        finished("fill")
        // Tables of current state are folded from the whole filled range at once, from the typed
        // columns of the new fact tables (no JSON read again): one GROUP BY per table instead of
        // an upsert merging every batch into rows kept so far. They serve the reports as of
        // today, so they are analysed at once: the first reports after the swap get plans made
        // for their real size. The analysis samples 3,000 rows (statistics target 10) rather than
        // the default 30,000: a tenth of the time, and enough for these tables' plain key and
        // range lookups. A fold, its key, its analysis and its table's indexes are one job, in
        // that order, in one transaction whose settings end with it (a failed job leaves none on
        // the connection), followed by the new table's checksum. A fold hashes one group per
        // deal, invoice or client: it gets the memory to do that without spilling to disk (64 MB,
        // twice that for hashing), and no parallel workers, which would only take cores from the
        // crew.
        //
        // The other jobs go in the same list, taken by whichever connection is free (folds
        // first: they are the longest): the indexes of the fact tables, their checksums, and the
        // live tables' checksums. All checksums are taken before the swaps, which hold the locks:
        // only this rebuild writes the new tables, so their sums hold unless a swap has to apply
        // events first; a live table's sum is taken in one snapshot with the generation's
        // checkpoint, and holds if the swap finds the live generation still there.
        let settings: [SQL] = [
            "SET LOCAL work_mem = '64MB'", "SET LOCAL max_parallel_workers_per_gather = 0",
            "SET LOCAL default_statistics_target = 10",
        ]
        let sums = Mutex(projections.map { [String](repeating: "", count: $0.tables.count) })
        let liveSums = Mutex(projections.map { [LiveChecksum?](repeating: nil, count: $0.tables.count) })
        var folds: [@Sendable (Connection) throws -> Void] = []
        var others: [@Sendable (Connection) throws -> Void] = []
        for (index, (projection, generation)) in zip(projections, rebuilt).enumerated() {
            for (slot, table) in projection.tables.enumerated() {
                let newSum: @Sendable (Connection) throws -> Void = { connection in
                    let sum = try ProjectionRegistry.checksum(of: table, in: generation, on: connection)
                    sums.withLock { $0[index][slot] = sum }
                }
                others.append { connection in
                    let sum = try LiveChecksum.take(of: table, in: projection, on: connection)
                    liveSums.withLock { $0[index][slot] = sum }
                }
                let indexes = table.indexing(named: generation.tableName(table))
                if table.opensNames {
                    // The fill wrote names sealed only. They are opened (in one transaction that
                    // locks the generation's registry row first: the lock order of
                    // ``ClientNameSearch``) before the table's indexes, which search the opened
                    // names; a job of its own, beside the folds, as long as one of them.
                    folds.insert(
                        { [personalData] connection in
                            try connection.transaction { connection in
                                _ = try ProjectionRegistry.find(
                                    projection.name, state: "rebuilding", lock: true, on: connection)
                                try ClientNameSearch.open(
                                    table, in: generation, personalData: personalData, on: connection)
                            }
                            for statement in indexes { try connection.execute(statement) }
                            try newSum(connection)
                        }, at: 0)
                } else if let fold = table.folding(in: generation),
                    let key = table.keying(named: generation.tableName(table))
                {
                    let statements = settings + [fold, key, "ANALYZE \(fragment: generation.table(table))"] + indexes
                    folds.append { connection in
                        try connection.transaction { connection in
                            for statement in statements { try connection.execute(statement) }
                        }
                        try newSum(connection)
                    }
                } else {
                    let indexJobs: [@Sendable (Connection) throws -> Void] = indexes.map { statement in
                        { _ = try $0.execute(statement) }
                    }
                    others.insert(contentsOf: indexJobs, at: 0)
                    others.append(newSum)
                }
            }
        }
        try crew.perform(folds + others) { job, connection in try job(connection) }
        finished("fold, index and compare")
        let outcomes = Mutex([RebuildOutcome?](repeating: nil, count: projections.count))
        try crew.perform(Array(projections.indices)) { index, connection in
            let outcome = try swap(
                projections[index], rebuilt[index], checksummed: sums.withLock { $0[index] },
                liveChecksummed: liveSums.withLock { $0[index] }, on: connection)
            outcomes.withLock { $0[index] = outcome }
        }
        finished("swaps")
        return outcomes.withLock { $0.compactMap { $0 } }
    }

    /// One live table's checksum, with the generation and checkpoint it was taken at.
    struct LiveChecksum: Sendable {
        let generation: ProjectionGeneration
        let sum: String

        /// The checksum of `table` in `projection`'s live generation, read in one snapshot with
        /// the generation's row (a live batch writes its rows and its checkpoint together); nil
        /// when the live generation is of another version (it is not compared then).
        static func take(
            of table: FactTable, in projection: Projection, on connection: Connection
        ) throws -> LiveChecksum? {
            try connection.transaction(beginning: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
                try ProjectionRegistry.find(projection.name, state: "live", on: connection).flatMap { live in
                    live.version == projection.version
                        ? LiveChecksum(
                            generation: live, sum: try ProjectionRegistry.checksum(of: table, in: live, on: connection))
                        : nil
                }
            }
        }
    }

    /// Fills the events of `slice` into the new generations and counts them in their progress, in
    /// one transaction. Slices may commit in any order (on several connections), so a rebuilding
    /// generation's `position` counts the events filled so far until the fill sets it to its
    /// checkpoint.
    private func fillBatch(
        _ slice: RebuildFill.Slice, of generations: [ProjectionGeneration], with fill: RebuildFill, target: Int64,
        on connection: Connection
    ) throws {
        try connection.transaction { connection in
            let events: Int64 = try connection.query(fill.statement(slice)).first?.decode(0) ?? 0
            for generation in generations {
                try connection.execute(
                    """
                    UPDATE readmodels.projection_state
                       SET position = position + \(events), rebuild_target = \(target), updated_at = now()
                     WHERE name = \(generation.name) AND generation = \(generation.generation)
                    """)
            }
        }
    }

    /// Drops what an interrupted rebuild left and creates the new generations, empty and without
    /// indexes, in one transaction.
    private func start(on connection: Connection) throws -> [ProjectionGeneration] {
        for projection in projections { _ = try ProjectionRegistry.live(projection, on: connection) }
        let generations = try connection.transaction { connection in
            try projections.map { projection in
                if let stale = try ProjectionRegistry.find(
                    projection.name, state: "rebuilding", lock: true, on: connection)
                {
                    logger.warning(
                        "dropping an interrupted rebuild",
                        metadata: [
                            "projection.name": "\(projection.name)", "projection.generation": "\(stale.generation)",
                        ])
                    try ProjectionRegistry.drop(stale, on: connection)
                }
                let generation = try ProjectionRegistry.create(projection, state: "rebuilding", on: connection)
                return ProjectionGeneration(
                    name: projection.name, version: projection.version, generation: generation, position: 0)
            }
        }
        for generation in generations {
            logger.info(
                "rebuild started",
                metadata: [
                    "projection.name": "\(generation.name)", "projection.generation": "\(generation.generation)",
                ])
        }
        return generations
    }

    /// Brings the live and the new generation of `projection` to the same position, compares and
    /// swaps them, or reports the mismatch. `checksummed` is the new generation's checksum at its
    /// filled position, used unless events had to be applied to it here; `liveChecksummed` the
    /// live tables', used where the live generation and its checkpoint are still the same.
    private func swap(
        _ projection: Projection, _ rebuilt: ProjectionGeneration, checksummed: [String],
        liveChecksummed: [LiveChecksum?], on connection: Connection
    ) throws -> RebuildOutcome {
        let horizon = try EventStore.safePosition(on: connection)
        var final = rebuilt
        let outcome = try connection.transaction { connection -> RebuildOutcome in
            guard var live = try ProjectionRegistry.find(projection.name, state: "live", lock: true, on: connection)
            else { throw ProjectionError.unknownProjection(projection.name) }
            _ = try ProjectionRegistry.find(projection.name, state: "rebuilding", lock: true, on: connection)
            let sameVersion = live.version == projection.version
            let target = max(horizon, live.position, final.position)
            if sameVersion {
                try ProjectionRegistry.apply(
                    projection, to: &live, upTo: target, personalData: personalData, on: connection)
            }
            try ProjectionRegistry.apply(
                projection, to: &final, upTo: target, personalData: personalData, on: connection)
            let rebuiltSums =
                final.position == rebuilt.position
                ? checksummed : try ProjectionRegistry.checksum(final, of: projection, on: connection)
            let liveProjection = projection.withVersion(live.version)
            let taken = liveChecksummed.compactMap { $0?.generation == live ? $0?.sum : nil }
            let liveSums =
                !sameVersion
                ? []
                : taken.count == projection.tables.count
                    ? taken : try ProjectionRegistry.checksum(live, of: liveProjection, on: connection)
            let matched = sameVersion && liveSums == rebuiltSums
            guard matched || live.version < projection.version else {
                return .mismatch(live: liveSums, rebuilt: rebuiltSums)
            }
            try ProjectionRegistry.drop(live, on: connection)
            for table in projection.tables {
                try connection.execute(table.servingSettings(named: final.tableName(table)))
            }
            try connection.execute(
                """
                UPDATE readmodels.projection_state
                   SET state = 'live', rebuild_started_at = NULL, rebuild_target = NULL, updated_at = now()
                 WHERE name = \(projection.name) AND generation = \(final.generation)
                """)
            return .swapped(generation: final.generation, position: final.position, checksumMatched: matched)
        }
        if case .mismatch(let live, let rebuiltSums) = outcome {
            let message = "rebuilt generation differs from the live one at version \(projection.version)"
            logger.error(
                "\(message)",
                metadata: [
                    "projection.name": "\(projection.name)", "projection.live": "\(live)",
                    "projection.rebuilt": "\(rebuiltSums)",
                ])
            try connection.transaction { connection in
                try ProjectionRegistry.drop(final, on: connection)
                try connection.execute(
                    """
                    UPDATE readmodels.projection_state SET last_rebuild_error = \(message), last_rebuild_error_at = now()
                     WHERE name = \(projection.name) AND state = 'live'
                    """)
            }
        } else {
            logger.info(
                "rebuild swapped in",
                metadata: ["projection.name": "\(projection.name)", "projection.generation": "\(final.generation)"])
        }
        return outcome
    }
}

/// The `statement_timeout` of the connections a rebuild works on: turned off for its work, and
/// each connection's own value given back afterwards.
private final class LiftedStatementTimeouts {
    private var lifted: [(connection: Connection, timeout: String)] = []

    /// Turns the timeout off on `connections`, remembering each one's value.
    func lift(on connections: [Connection]) throws {
        for connection in connections {
            let timeout: String =
                try connection.query("SELECT current_setting('statement_timeout')").first?.decode(0) ?? "0"
            try connection.execute("SET statement_timeout = 0")
            lifted.append((connection, timeout))
        }
    }

    /// Gives every lifted connection its value back (a connection that broke meanwhile is skipped).
    func restore() {
        for (connection, timeout) in lifted {
            _ = try? connection.execute("SELECT set_config('statement_timeout', \(timeout), false)")
        }
        lifted = []
    }
}
