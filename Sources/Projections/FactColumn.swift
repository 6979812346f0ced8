/// One column of a fact table: its name, its type with its constraints (as `CREATE TABLE` takes
/// them), and, for a table of facts, where its value is read from in an event of the log. The
/// `CREATE TABLE` body, the `INSERT` column list and the `SELECT` that fills the table are all
/// generated from these. A column PostgreSQL generates (`GENERATED ALWAYS AS …`) is left out of
/// inserts.
struct FactColumn: Sendable, Hashable {
    /// The column's name.
    let name: String
    /// The type and constraints after the name (`uuid NOT NULL`).
    let type: String
    /// Where a table of facts reads the value; nil for a table of current state (its ``FactTable/Fold``
    /// says how its rows are made) and for a generated column.
    let source: FactSource?

    /// A column `name` of `type`, read from `source`.
    init(_ name: String, _ type: String, _ source: FactSource? = nil) {
        self.name = name
        self.type = type
        self.source = source
    }

    /// The event's log position, which every fact keeps.
    static let position = FactColumn("position", "bigint NOT NULL", .position)
    /// When the event was recorded, which every fact keeps.
    static let recordedAt = FactColumn("recorded_at", "timestamptz NOT NULL", .recordedAt)

    /// `name type`, as a `CREATE TABLE` body lists it.
    var definition: String { "\(name) \(type)" }

    /// Whether PostgreSQL computes the column's value.
    var isGenerated: Bool { type.contains("GENERATED ALWAYS") }

    /// The SQL type the value is cast to: the first word of ``type`` (`uuid`, `date`, `text[]`).
    var sqlType: String { String(type.prefix { $0 != " " }) }

    /// The expression of the fill's `SELECT` that reads this column from the event `e` (and its
    /// array element `a`), cast to ``sqlType`` (text needs no cast).
    var selection: String? {
        func cast(_ text: String) -> String { sqlType == "text" ? text : "(\(text))::\(sqlType)" }
        switch source {
        case .field(let member): return cast("e.data->>'\(member)'")
        case .element(let member): return cast("a->>'\(member)'")
        case .position: return "e.position"
        case .recordedAt: return "e.recorded_at"
        case .expression(let text): return text
        case nil: return nil
        }
    }
}

/// Where a fact column's value comes from in an event `e` of the log (see ``FactColumn``).
enum FactSource: Sendable, Hashable {
    /// A member of the event's payload.
    case field(String)
    /// A member of the element `a` of the payload array the table reads a row per element of
    /// (``FactRows/elements``).
    case element(String)
    /// The event's position in the log.
    case position
    /// When the event was recorded.
    case recordedAt
    /// An expression over `e` made of constants (a `CASE` over event types, a `coalesce` of
    /// payload members), used as written.
    case expression(String)
}

/// Which events a table of facts is filled from: a row per event of `types`, or per element of
/// the payload array `elements` of each (`CROSS JOIN LATERAL jsonb_array_elements(…) a`).
struct FactRows: Sendable, Hashable {
    /// The event types, as the events name them (`InvoiceIssued.eventType`).
    let types: [String]
    /// The payload member holding an array, a row per element; nil for a row per event.
    var elements: String? = nil

    /// `FROM events e … WHERE e.type …`, without the range condition.
    var clause: String {
        let lateral = elements.map { " CROSS JOIN LATERAL jsonb_array_elements(e.data->'\($0)') a" } ?? ""
        let names = types.map { "'\($0)'" }
        let condition = names.count == 1 ? "= \(names[0])" : "IN (\(names.joined(separator: ", ")))"
        return "FROM events e\(lateral) WHERE e.type \(condition)"
    }
}
