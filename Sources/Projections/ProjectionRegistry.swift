public import Access
import EventStore
public import PQ

/// The registry of read-model generations (`readmodels.projection_state`)
/// and the statements that create, fill and drop a generation's tables.
///
/// Every call runs on a connection the caller holds, outside a transaction
/// unless it says otherwise: a batch computes the safe horizon in one
/// statement and reads the log in a later one.
public enum ProjectionRegistry {
    /// The live generation of `projection`, creating an empty one (position 0)
    /// at the code's version when there is none yet.
    public static func live(_ projection: Projection, on connection: Connection) throws -> ProjectionGeneration {
        if let live = try find(projection.name, state: "live", on: connection) { return live }
        do {
            return try connection.transaction { connection in
                let generation = try create(projection, state: "live", on: connection)
                return ProjectionGeneration(
                    name: projection.name, version: projection.version, generation: generation, position: 0)
            }
        } catch let error as PQError where error.isUniqueViolation {
            // Another process created it first.
            guard let live = try find(projection.name, state: "live", on: connection) else { throw error }
            return live
        }
    }

    /// The generation of `name` in `state` ('live' or 'rebuilding'), if any.
    static func find(
        _ name: String, state: String, lock: Bool = false, on connection: Connection
    ) throws
        -> ProjectionGeneration?
    {
        let forUpdate: SQL = lock ? " FOR UPDATE" : ""
        return try connection.query(
            """
            SELECT name, version, generation, position FROM readmodels.projection_state
             WHERE name = \(name) AND state = \(state)\(fragment: forUpdate)
            """, prepared: true
        ).first.map(ProjectionGeneration.decode)
    }

    /// Creates a new generation's tables and its registry row; inside a transaction. A live
    /// generation gets its indexes and keys at once; a rebuilding one is filled first and indexed
    /// and keyed after (one sort per index instead of an insertion per row).
    static func create(_ projection: Projection, state: String, on connection: Connection) throws -> Int {
        let generation: Int =
            try connection.query("SELECT nextval('readmodels.projection_generation')::integer")
            .first?.decode(0) ?? 0
        let made = ProjectionGeneration(
            name: projection.name, version: projection.version, generation: generation, position: 0)
        for table in projection.tables {
            try connection.execute(table.creation(named: made.tableName(table), building: state == "rebuilding"))
        }
        if state == "live" {
            for statement in indexing(made, of: projection) { try connection.execute(statement) }
        }
        let startedAt: String? = state == "rebuilding" ? "now" : nil
        try connection.execute(
            """
            INSERT INTO readmodels.projection_state (name, generation, version, state, position, rebuild_started_at)
            VALUES (\(projection.name), \(generation), \(projection.version), \(state), 0, \(startedAt)::timestamptz)
            """)
        return generation
    }

    /// The `CREATE INDEX` statements of every table of a generation.
    static func indexing(_ generation: ProjectionGeneration, of projection: Projection) -> [SQL] {
        projection.tables.flatMap { $0.indexing(named: generation.tableName($0)) }
    }

    /// Drops a generation's tables (every table of its name prefix, whatever version of the code
    /// made them) and its registry row; inside a transaction.
    static func drop(_ generation: ProjectionGeneration, on connection: Connection) throws {
        let prefix = "\(generation.name)_v\(generation.version)_g\(generation.generation)_"
        let tables = try connection.query(
            """
            SELECT tablename FROM pg_tables
             WHERE schemaname = \(Projection.schema) AND left(tablename, length(\(prefix))) = \(prefix)
            """
        ).rows.map { try $0.decode(0, as: String.self) }
        for table in tables {
            try connection.execute("DROP TABLE IF EXISTS \(identifier: Projection.schema).\(identifier: table)")
        }
        try connection.execute(
            """
            DELETE FROM readmodels.projection_state
             WHERE name = \(generation.name) AND generation = \(generation.generation)
            """)
    }

    /// Applies the events in (`generation.position`, `to`] to the
    /// generation's tables and moves its checkpoint; inside the caller's
    /// transaction, after the registry row was locked.
    /// Names are opened with `personalData` (see ``ClientNameSearch``).
    static func apply(
        _ projection: Projection, to generation: inout ProjectionGeneration, upTo target: Int64,
        personalData: PersonalDataKeys, on connection: Connection
    ) throws {
        guard target > generation.position else { return }
        for table in projection.tables {
            // Prepared: the live runner applies the same statements many times a second, and
            // parsing and planning them each time cost more than running them.
            try connection.execute(
                table.insertion(named: generation.tableName(table), from: generation.position, to: target),
                prepared: true)
            if table.opensNames {
                try ClientNameSearch.open(table, in: generation, personalData: personalData, on: connection)
            }
        }
        try connection.execute(
            """
            UPDATE readmodels.projection_state SET position = \(target), updated_at = now()
             WHERE name = \(generation.name) AND generation = \(generation.generation)
            """, prepared: true)
        generation.position = target
    }

    /// Applies the next batch of at most `batchSize` positions to the live
    /// generation, batch and checkpoint in one transaction. Returns the
    /// number of positions advanced (0 when caught up, or when the live
    /// generation was filled by another version of the code and waits for a
    /// rebuild).
    /// Names are opened with `personalData`. The batch ends at `horizon` at the latest, the safe
    /// position read now when nil (a caller catching up several projections reads it once).
    public static func applyNextBatch(
        _ projection: Projection, batchSize: Int64, horizon: Int64? = nil, personalData: PersonalDataKeys,
        on connection: Connection
    ) throws -> Int64 {
        _ = try live(projection, on: connection)
        let horizon = try horizon ?? EventStore.safePosition(on: connection)
        return try applyLiveBatch(
            projection, batchSize: batchSize, horizon: horizon, personalData: personalData, on: connection
        ).advanced
    }

    /// ``applyNextBatch(_:batchSize:horizon:personalData:on:)`` for a caller that made sure of the
    /// live generation and read the horizon: the batch's transaction alone. Answers the positions
    /// advanced and the live generation's position after it (nil without a live generation of the
    /// code's version), so a caller stops once it reaches `horizon` instead of asking again.
    static func applyLiveBatch(
        _ projection: Projection, batchSize: Int64, horizon: Int64, personalData: PersonalDataKeys,
        on connection: Connection
    ) throws -> (advanced: Int64, position: Int64?) {
        try connection.transaction { connection in
            guard var live = try find(projection.name, state: "live", lock: true, on: connection),
                live.version == projection.version
            else { return (0, nil) }
            let start = live.position
            // A gap in the positions (appends that rolled back burn theirs) is stepped over: the
            // batch starts just below the next stored event.
            let next: Int64? = try connection.query(
                "SELECT min(position) FROM events WHERE position > \(start) AND position <= \(horizon)", prepared: true
            ).first?.decodeOptional(0)
            let from = max(start, (next ?? start + 1) - 1)
            try apply(
                projection, to: &live, upTo: min(horizon, from + batchSize), personalData: personalData, on: connection)
            return (live.position - start, live.position)
        }
    }

    /// The checksum of every table of a generation, in table order.
    static func checksum(
        _ generation: ProjectionGeneration, of projection: Projection, on connection: Connection
    )
        throws -> [String]
    {
        try projection.tables.map { try checksum(of: $0, in: generation, on: connection) }
    }

    /// `table`'s entry of ``checksum(_:of:on:)``: `name:count:sum`.
    static func checksum(
        of table: FactTable, in generation: ProjectionGeneration, on connection: Connection
    ) throws
        -> String
    {
        let digest: String =
            try connection.query(table.checksum(named: generation.tableName(table))).first?
            .decode(0) ?? ""
        return "\(table.name):\(digest)"
    }
}
