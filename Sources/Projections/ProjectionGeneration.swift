public import PQ

/// One generation of a projection's tables, as the registry records it.
public struct ProjectionGeneration: Sendable, Hashable {
    /// The projection's name.
    public let name: String
    /// The code version that filled it.
    public let version: Int
    /// The generation number (unique across projections).
    public let generation: Int
    /// The last log position applied.
    public var position: Int64

    /// The name of `table` in this generation, e.g. `aging_v1_g3_invoices`.
    public func tableName(_ table: FactTable) -> String {
        "\(name)_v\(version)_g\(generation)_\(table.name)"
    }

    /// `readmodels."<table>"`, to splice into a report's statement.
    public func table(_ table: FactTable) -> SQL {
        "\(identifier: Projection.schema).\(identifier: tableName(table))"
    }

    static func decode(_ row: Row) throws -> ProjectionGeneration {
        ProjectionGeneration(
            name: try row.decode("name"), version: try row.decode("version"),
            generation: try row.decode("generation"), position: try row.decode("position"))
    }
}
