import PQ

/// One table of dated facts that a projection keeps, and the set-based
/// statement that fills it from a range of the log.
///
/// Every row carries the `position` of the event it came from and that
/// event's `recorded_at`, so any `asOf` (business date) or `knownAt` (recorded
/// instant) is a filter of the report's query, never a rebuild. The same
/// `select` serves live batches and full rebuilds (see ``RebuildFill``). A
/// table of current state folds facts instead (see ``Fold``).
public struct FactTable: Sendable, Hashable {
    /// The table's name within a generation, e.g. `invoices`.
    public let name: String
    /// The columns, in order: the one description the `CREATE TABLE` body and the `INSERT`
    /// column list are generated from.
    let columns: [FactColumn]
    /// `SELECT … FROM events e … WHERE …` without the range condition, which
    /// a live batch appends as `AND e.position > $from AND e.position <= $to`.
    /// A rebuild runs it where `events` names the events of one batch (same
    /// columns, see ``RebuildFill``), so it must read only the events of the
    /// range: no other reference to `events` (a subquery over the whole log
    /// would see just the batch there). Determinism tests compare both ways.
    /// For a table of current state, the ``Fold``'s aggregate over its events,
    /// which only live batches run.
    let select: String
    /// The indexes, one each: a column list, or a whole index body that starts with `(` (its
    /// columns, then `INCLUDE (…)` and `WHERE …` as needed) or with `USING ` (another access method).
    private(set) var indexes: [String]
    /// How a table of current state is folded from the facts; `nil` for a table of facts.
    var fold: Fold? = nil
    /// Whether the table's rows carry a sealed client name that the runner opens in Swift into a
    /// lowercased `search_name` after each insertion (see ``ClientNameSearch``): SQL cannot open it.
    var opensNames = false

    /// A table of facts filled from `rows`, each column read from its ``FactColumn/source``.
    init(name: String, from rows: FactRows, columns: [FactColumn], indexes: [String], opensNames: Bool = false) {
        let selections = columns.compactMap(\.selection)
        precondition(
            selections.count == columns.filter { !$0.isGenerated }.count,
            "every column of the fact table \(name) but a generated one needs a source")
        self.init(
            name: name, columns: columns, select: "SELECT \(selections.joined(separator: ", ")) \(rows.clause)",
            indexes: indexes)
        self.opensNames = opensNames
    }

    /// A table with its `select` written out (a table of current state, see ``Fold``).
    init(name: String, columns: [FactColumn], select: String, indexes: [String], fold: Fold? = nil) {
        self.name = name
        self.columns = columns
        self.select = select
        self.indexes = indexes
        self.fold = fold
    }

    /// This table with other indexes: the same rows, for a read model that looks them up in
    /// other ways.
    func indexed(by indexes: [String]) -> FactTable {
        var table = self
        table.indexes = indexes
        return table
    }

    /// What makes the table's rows (its name, columns and statement; not its indexes): tables
    /// with the same key hold the same rows.
    var rowsKey: String { [name, columnDefinitions, insertColumns, select].joined(separator: "\n") }

    /// The column definitions, the `CREATE TABLE` body.
    var columnDefinitions: String { columns.map(\.definition).joined(separator: ", ") }

    /// The columns an `INSERT INTO … (…)` lists: every one but those PostgreSQL generates.
    var insertColumns: String { columns.filter { !$0.isGenerated }.map(\.name).joined(separator: ", ") }

    /// Whether the table keeps facts (a row per fact) rather than current state folded from them.
    var isFacts: Bool { fold == nil }

    /// `CREATE TABLE` under `tableName`, without indexes; a table of current state with its
    /// primary key. A table a rebuild builds (`building`) has no key yet (the rebuild folds it
    /// first and adds the key after, see ``keying(named:)``) and no autovacuum until it is
    /// swapped in (``servingSettings(named:)``): vacuuming a table whose rows are still
    /// arriving takes a core from the rebuild for nothing, and its locks stall the swap.
    func creation(named tableName: String, building: Bool = false) -> SQL {
        let key = fold.map { building ? "" : ", PRIMARY KEY (\($0.key))" } ?? ""
        let storage = building ? " WITH (autovacuum_enabled = false)" : ""
        return """
            CREATE TABLE \(identifier: Projection.schema).\(identifier: tableName) \
            (\(fragment: SQL(unsafeRaw: columnDefinitions + key)))\(fragment: SQL(unsafeRaw: storage))
            """
    }

    /// Gives a table a rebuild built back to autovacuum, as it is swapped in.
    func servingSettings(named tableName: String) -> SQL {
        "ALTER TABLE \(identifier: Projection.schema).\(identifier: tableName) RESET (autovacuum_enabled)"
    }

    /// `ALTER TABLE … ADD PRIMARY KEY` for a table of current state created without it; nil for a
    /// table of facts. One sort after the fold costs less than the key's insertion per row.
    func keying(named tableName: String) -> SQL? {
        fold.map { fold in
            """
            ALTER TABLE \(identifier: Projection.schema).\(identifier: tableName) \
            ADD PRIMARY KEY (\(fragment: SQL(unsafeRaw: fold.key)))
            """
        }
    }

    /// `CREATE INDEX` for each of ``indexes`` on the table called `tableName`.
    func indexing(named tableName: String) -> [SQL] {
        indexes.enumerated().map { index, body in
            let body = body.hasPrefix("(") || body.hasPrefix("USING ") ? body : "(\(body))"
            return """
                CREATE INDEX \(identifier: "\(tableName)_i\(index)") ON \(identifier: Projection.schema).\(identifier: tableName) \
                \(fragment: SQL(unsafeRaw: body))
                """
        }
    }

    /// Inserts the facts of the events in (`from`, `to`], or folds them into the rows of current
    /// state kept so far.
    func insertion(named tableName: String, from: Int64, to: Int64) -> SQL {
        let grouping = SQL(unsafeRaw: fold?.grouping ?? "")
        return insert(
            into: tableName,
            rows:
                "\(fragment: SQL(unsafeRaw: select)) AND e.position > \(from) AND e.position <= \(to) \(fragment: grouping)"
        )
    }

    /// Folds the rows of `generation`'s fact tables into this table of current state, empty until
    /// then, in one statement (a rebuild, after the fill). The grouping gives one row per key and
    /// the table is empty, so this is a plain insert, without the merge: checking every row for a
    /// conflict cost a third of the fold.
    func folding(in generation: ProjectionGeneration) -> SQL? {
        guard let fold else { return nil }
        var rows = SQL(unsafeRaw: fold.aggregate)
        for (index, source) in fold.facts.enumerated() {
            if index > 0 { rows.append(" UNION ALL ") }
            rows.append(
                """
                SELECT \(fragment: SQL(unsafeRaw: source.columns)) FROM \(fragment: generation.table(source.table)) \
                \(fragment: SQL(unsafeRaw: source.condition))
                """)
        }
        rows.append(" \(fragment: SQL(unsafeRaw: fold.grouping))")
        return insert(into: generation.tableName(self), rows: rows, merging: false)
    }

    /// `INSERT INTO` the table called `tableName` `(`insertColumns`)` the `rows` of a query (a
    /// table of current state merges them into the rows kept so far, see ``Fold/merge``, unless
    /// `merging` is false), then `returning`.
    func insert(into tableName: String, rows: SQL, returning: SQL = "", merging: Bool = true) -> SQL {
        let merge = merging ? fold?.merge ?? "" : ""
        return """
            INSERT INTO \(identifier: Projection.schema).\(identifier: tableName) AS state \
            (\(fragment: SQL(unsafeRaw: insertColumns))) \
            \(fragment: rows) \(fragment: SQL(unsafeRaw: merge))\(fragment: returning)
            """
    }

    /// Row count and the sum of a 64-bit hash of each row, as `count:sum`.
    ///
    /// A sum does not depend on the rows' order and, unlike an exclusive or,
    /// counts a repeated row twice. `hash_record_extended` hashes each
    /// column's binary value with its type's own hash function (no text
    /// rendering of the rows and no sort, which an md5 over the ordered rows
    /// needed), but combines the columns linearly, so its sum over the rows
    /// would only see each column's values, not which values share a row;
    /// hashing that row hash again (`hashint8extended`, without writing it out
    /// as text) makes every row count as a whole.
    /// Two tables with the same rows give the same result; a difference in
    /// any value of any row changes it, up to a 64-bit hash collision. Every
    /// column's type needs an extended hash function (uuid, text, date,
    /// bigint, timestamptz, arrays, jsonb have one; json and point do not).
    func checksum(named tableName: String) -> SQL {
        """
        SELECT count(*) || ':' || coalesce(sum(hashint8extended(hash_record_extended(t, 0), 0)), 0) \
        FROM \(identifier: Projection.schema).\(identifier: tableName) t
        """
    }
}
