import PQ

/// One table of dated facts that a projection keeps, and the set-based
/// statement that fills it from a range of the log.
///
/// Every row carries the `position` of the event it came from and that
/// event's `recorded_at`, so any `asOf` (business date) or `knownAt` (recorded
/// instant) is a filter of the report's query, never a rebuild. The same
/// `select` serves live batches and full rebuilds (see ``RebuildFill``).
public struct FactTable: Sendable, Hashable {
    /// The table's name within a generation, e.g. `invoices`.
    public let name: String
    /// The column definitions (`CREATE TABLE` body).
    let columns: String
    /// The columns listed in `INSERT INTO … (…)`.
    let insertColumns: String
    /// `SELECT … FROM events e … WHERE …` without the range condition, which
    /// a live batch appends as `AND e.position > $from AND e.position <= $to`.
    /// A rebuild runs it where `events` names the events of one batch (same
    /// columns, see ``RebuildFill``), so it must read only the events of the
    /// range: no other reference to `events` (a subquery over the whole log
    /// would see just the batch there). Determinism tests compare both ways.
    let select: String
    /// Column lists to index, one index each.
    let indexes: [String]
    /// What follows the range condition, for a table of current state folded from the facts:
    /// the end of the select (closing a subquery, grouping per key) and its `ON CONFLICT … DO
    /// UPDATE`, where `state` is the row kept so far; the merge must not depend on how the log is
    /// cut into batches (live batches; a rebuild folds the whole log in one statement). Empty for
    /// facts.
    var upsert: String = ""

    /// Whether the table keeps facts (a row per fact) rather than current state folded from them.
    var isFacts: Bool { upsert.isEmpty }

    /// `CREATE TABLE` under `tableName`, without indexes.
    func creation(named tableName: String) -> SQL {
        "CREATE TABLE \(identifier: Projection.schema).\(identifier: tableName) (\(fragment: SQL(stringLiteral: columns)))"
    }

    /// `CREATE INDEX` for each of ``indexes`` on the table called `tableName`.
    func indexing(named tableName: String) -> [SQL] {
        indexes.enumerated().map { index, columns in
            """
            CREATE INDEX \(identifier: "\(tableName)_i\(index)") ON \(identifier: Projection.schema).\(identifier: tableName) \
            (\(fragment: SQL(stringLiteral: columns)))
            """
        }
    }

    /// Inserts the facts of the events in (`from`, `to`].
    func insertion(named tableName: String, from: Int64, to: Int64) -> SQL {
        insert(into: tableName, rows: "\(fragment: SQL(stringLiteral: select)) AND e.position > \(from) AND e.position <= \(to)")
    }

    /// `INSERT INTO` the table called `tableName` `(`insertColumns`)` the `rows` of a query (a
    /// table of current state folds them in with its ``upsert``), then `returning`.
    func insert(into tableName: String, rows: SQL, returning: SQL = "") -> SQL {
        """
        INSERT INTO \(identifier: Projection.schema).\(identifier: tableName) AS state \
        (\(fragment: SQL(stringLiteral: insertColumns))) \
        \(fragment: rows) \(fragment: SQL(stringLiteral: upsert))\(fragment: returning)
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
    /// hashing that row hash again (as text) makes every row count as a whole.
    /// Two tables with the same rows give the same result; a difference in
    /// any value of any row changes it, up to a 64-bit hash collision. Every
    /// column's type needs an extended hash function (uuid, text, date,
    /// bigint, timestamptz, arrays, jsonb have one; json and point do not).
    func checksum(named tableName: String) -> SQL {
        """
        SELECT count(*) || ':' || coalesce(sum(hashtextextended(hash_record_extended(t, 0)::text, 0)), 0) \
        FROM \(identifier: Projection.schema).\(identifier: tableName) t
        """
    }
}
