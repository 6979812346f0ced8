/// One column of a fact table: its name and its type with its constraints, as `CREATE TABLE`
/// takes them. A column PostgreSQL generates (`GENERATED ALWAYS AS …`) is left out of inserts.
struct FactColumn: Sendable, Hashable {
    /// The column's name.
    let name: String
    /// The type and constraints after the name (`uuid NOT NULL`).
    let type: String

    /// A column `name` of `type`.
    init(_ name: String, _ type: String) {
        self.name = name
        self.type = type
    }

    /// `name type`, as a `CREATE TABLE` body lists it.
    var definition: String { "\(name) \(type)" }

    /// Whether PostgreSQL computes the column's value.
    var isGenerated: Bool { type.contains("GENERATED ALWAYS") }
}
