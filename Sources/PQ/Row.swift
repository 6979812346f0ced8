/// The rows a statement returned, copied out of libpq's `PGresult` (which is
/// freed before this value exists).
public struct QueryResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// All cells, row-major; `nil` is SQL NULL.
    let cells: [String?]
    /// Rows affected by an INSERT/UPDATE/DELETE (`PQcmdTuples`), else 0.
    public let affectedRows: Int

    init(columns: [String], cells: [String?], affectedRows: Int) {
        self.columns = columns
        self.cells = cells
        self.affectedRows = affectedRows
    }

    /// The number of rows.
    public var count: Int { columns.isEmpty ? 0 : cells.count / columns.count }

    /// The rows, in order.
    public var rows: [Row] {
        (0..<count).map { Row(columns: columns, values: cells[$0 * columns.count..<($0 + 1) * columns.count]) }
    }

    /// The first row, if any.
    public var first: Row? { count > 0 ? Row(columns: columns, values: cells[0..<columns.count]) : nil }
}

/// One result row: text-format values with typed accessors.
public struct Row: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// Cell values in column order; `nil` is SQL NULL. A slice of the whole result's cells (no
    /// copy per row), so its indices start where the row does: read it by column through
    /// ``decode(_:as:)-(Int,_)``.
    public let values: ArraySlice<String?>

    /// Decodes column `index`; throws if it is NULL or malformed.
    public func decode<T: PQDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard values.indices.contains(values.startIndex + index) else {
            throw PQError(kind: .decoding, message: "no column \(index) in a row of \(values.count)")
        }
        guard let text = values[values.startIndex + index] else {
            throw PQError(kind: .decoding, message: "column \(columns[index]) is NULL")
        }
        return try T(pqText: text)
    }

    /// Decodes column `index`, NULL as `nil`.
    public func decodeOptional<T: PQDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T? {
        guard values.indices.contains(values.startIndex + index) else {
            throw PQError(kind: .decoding, message: "no column \(index) in a row of \(values.count)")
        }
        return try values[values.startIndex + index].map { try T(pqText: $0) }
    }

    /// Decodes the column named `name`.
    public func decode<T: PQDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.firstIndex(of: name) else {
            throw PQError(kind: .decoding, message: "no column named \(name)")
        }
        return try decode(index, as: type)
    }

    /// Decodes the column named `name`, NULL as `nil`.
    public func decodeOptional<T: PQDecodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        guard let index = columns.firstIndex(of: name) else {
            throw PQError(kind: .decoding, message: "no column named \(name)")
        }
        return try decodeOptional(index, as: type)
    }
}
