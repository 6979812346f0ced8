import PQ

/// The one statement that fills every table of the generations a rebuild
/// builds from one batch of the log.
///
/// A live batch runs one `INSERT … SELECT` per fact table, each reading every
/// event of the range to keep those of its types: with 22 tables across the
/// read models, a rebuild read the whole log 22 times. Here the batch's
/// positions are read once, grouped by type into arrays of row addresses
/// (`ctid`, stable within the statement: the log is append-only); a
/// `NOT MATERIALIZED` CTE called `events`, with exactly the columns of the
/// events table, shadows the table for the rest of the statement and fetches
/// the rows of a type by address. Each fact table's own ``FactTable/select``
/// then runs unchanged against it: its `e.type` condition applies to the
/// grouped type, so it fetches only the events of its types. A fact table that
/// several of the read models keep (touches, clients) is computed once and
/// copied to the others through `RETURNING`.
///
/// The first pass over the log goes by ranges of the pages of each of the
/// log's tables (its partitions; ``Slice/pages(of:_:upTo:)``): a scan of a
/// range of pages reads each row once,
/// where a range of positions walks the position index and fetches the rows
/// one by one, which cost a fifth of the fill. Events that arrive while a
/// rebuild runs are few and go by positions (``Slice/positions(after:upTo:)``).
struct RebuildFill: Sendable {
    /// The events one statement fills.
    enum Slice: Sendable {
        /// Those at positions in (`after`, `upTo`].
        case positions(after: Int64, upTo: Int64)
        /// Those stored on the pages in `pages` of the log's table `table` (`events`, or one of its
        /// partitions: a row's address is only unique within its own table) whose position is at
        /// most `upTo`.
        case pages(of: String, Range<Int64>, upTo: Int64)
    }

    /// A fact table and its name in the generation being filled.
    struct Target: Sendable {
        let table: FactTable
        let name: String
    }

    let targets: [Target]
    /// The columns of the events table, in order.
    let eventColumns: [String]

    /// The fill of `generations`' tables of facts, with the events table's columns read from the
    /// catalogue. Tables of current state are folded once after the fill (see ``ProjectionRebuild``).
    init(_ generations: [(Projection, ProjectionGeneration)], on connection: Connection) throws {
        targets = generations.flatMap { projection, generation in
            projection.tables.filter(\.isFacts).map { Target(table: $0, name: generation.tableName($0)) }
        }
        eventColumns = try connection.query(
            """
            SELECT attname::text FROM pg_attribute
             WHERE attrelid = 'events'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
            """
        ).rows.map { try $0.decode(0) }
    }

    /// Fills the targets with the facts of the events of `slice`, and answers how many there were.
    func statement(_ slice: Slice) -> SQL {
        // The event's type comes from the group, so a condition on `e.type` is pushed down to the
        // groups and only the rows of the wanted types are fetched.
        var columns: SQL = ""
        for (index, column) in eventColumns.enumerated() {
            if index > 0 { columns.append(", ") }
            columns.append(column == "type" ? "batch.type" : "source.\(identifier: column)")
        }
        // In a plain WITH a CTE does not see itself or later ones: `events` inside `batch` and
        // inside `events` is the table; in the inserts after them it is the batch.
        let (table, range): (String, SQL) =
            switch slice {
            case .positions(let after, let upTo): ("events", "position > \(after) AND position <= \(upTo)")
            case .pages(let table, let pages, let upTo):
                (
                    table,
                    "ctid >= \("(\(pages.lowerBound),0)")::tid AND ctid < \("(\(pages.upperBound),0)")::tid AND position <= \(upTo)"
                )
            }
        var statement: SQL = """
            WITH batch AS MATERIALIZED (
                SELECT type, array_agg(ctid) AS addresses FROM \(identifier: table) WHERE \(fragment: range) GROUP BY type),
            events AS NOT MATERIALIZED (
                SELECT \(fragment: columns)
                  FROM batch CROSS JOIN LATERAL unnest(batch.addresses) AS address(ctid)
                  JOIN \(identifier: table) source ON source.ctid = address.ctid)
            """
        // Keyed by what makes the rows (tables of the same rows may differ in their indexes).
        var computed: [String: String] = [:]
        for (index, target) in targets.enumerated() {
            let name = "fill\(index)"
            let insert: SQL
            if let source = computed[target.table.rowsKey] {
                let columns = SQL(unsafeRaw: target.table.insertColumns)
                insert = target.table.insert(
                    into: target.name, rows: "SELECT \(fragment: columns) FROM \(identifier: source)")
            } else {
                let copied = targets[(index + 1)...].contains { $0.table.rowsKey == target.table.rowsKey }
                let returning: SQL = copied ? " RETURNING \(fragment: SQL(unsafeRaw: target.table.insertColumns))" : ""
                insert = target.table.insert(
                    into: target.name, rows: SQL(unsafeRaw: target.table.select), returning: returning)
                computed[target.table.rowsKey] = name
            }
            statement.append(",\n\(identifier: name) AS (\(fragment: insert))")
        }
        statement.append("\nSELECT coalesce(sum(cardinality(addresses)), 0)::bigint FROM batch")
        return statement
    }
}
