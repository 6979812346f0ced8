import PQ

/// One table of dated facts that a projection keeps, and the set-based
/// statement that fills it from a range of the log.
///
/// Every row carries the `position` of the event it came from and that
/// event's `recorded_at`, so any `asOf` (business date) or `knownAt` (recorded
/// instant) is a filter of the report's query, never a rebuild. The same
/// statement serves live batches and full rebuilds.
public struct FactTable: Sendable, Hashable {
    /// The table's name within a generation, e.g. `invoices`.
    public let name: String
    /// The column definitions (`CREATE TABLE` body).
    let columns: String
    /// The columns listed in `INSERT INTO … (…)`.
    let insertColumns: String
    /// `SELECT … FROM events e … WHERE …` without the range condition, which
    /// is appended as `AND e.position > $from AND e.position <= $to`.
    let select: String
    /// Column lists to index, one index each.
    let indexes: [String]
    /// What follows the range condition, for a table of current state folded from the facts:
    /// the end of the select (closing a subquery, grouping per key) and its `ON CONFLICT … DO
    /// UPDATE`, where `state` is the row kept so far; the merge must not depend on how the log is
    /// cut into batches. Empty for facts.
    var upsert: String = ""

    /// `CREATE TABLE` and its indexes under `qualifiedName`.
    func creation(named tableName: String) -> [SQL] {
        var statements: [SQL] = [
            "CREATE TABLE \(identifier: Projection.schema).\(identifier: tableName) (\(fragment: SQL(stringLiteral: columns)))"
        ]
        for (index, columns) in indexes.enumerated() {
            statements.append(
                """
                CREATE INDEX \(identifier: "\(tableName)_i\(index)") ON \(identifier: Projection.schema).\(identifier: tableName) \
                (\(fragment: SQL(stringLiteral: columns)))
                """)
        }
        return statements
    }

    /// Inserts the facts of the events in (`from`, `to`].
    func insertion(named tableName: String, from: Int64, to: Int64) -> SQL {
        """
        INSERT INTO \(identifier: Projection.schema).\(identifier: tableName) AS state \
        (\(fragment: SQL(stringLiteral: insertColumns))) \
        \(fragment: SQL(stringLiteral: select)) AND e.position > \(from) AND e.position <= \(to) \
        \(fragment: SQL(stringLiteral: upsert))
        """
    }

    /// Row count and an md5 over the table's rows in a canonical order.
    func checksum(named tableName: String) -> SQL {
        """
        SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) \
        FROM \(identifier: Projection.schema).\(identifier: tableName) t
        """
    }
}
