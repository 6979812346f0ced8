import Foundation

/// A CSV document as a spreadsheet may open it safely: RFC 4180 fields and CRLF line ends, and
/// no text cell that a spreadsheet would run as a formula. Every CSV the API and the CLI write is
/// built here, so the rule lives in one place.
///
/// A text cell that begins with `=`, `+`, `-`, `@`, their full-width forms (＝ ＋ － ＠), a tab or
/// a carriage return gets a leading `'` (spreadsheets show it as text; the value keeps every
/// character it had). A cell holding a comma, a quote or a line break (or given the `'`) is
/// quoted, inner quotes doubled. Integer cells are written as they are: amounts in minor units are
/// numbers a spreadsheet must be able to sum.
public struct CSVTable: Sendable {
    /// One cell of a row.
    public enum Cell: Sendable, Equatable {
        /// Text: a name, an id, a code. `nil` (an absent value) is an empty cell.
        case text(String?)
        /// An integer, written in decimal digits.
        case integer(Int64)
    }

    /// The lines written so far, each ending in CRLF, the header first.
    private var lines: [String]

    /// A table whose first line names its columns.
    public init(header: [String]) {
        lines = [Self.line(header.map(Cell.text))]
    }

    /// Adds a row.
    public mutating func append(_ row: [Cell]) {
        lines.append(Self.line(row))
    }

    /// The document. With `byteOrderMark`, it starts with U+FEFF, by which Excel tells UTF-8
    /// (names in Cyrillic, say) from the local legacy code page.
    public func text(byteOrderMark: Bool = false) -> String {
        (byteOrderMark ? "\u{FEFF}" : "") + lines.joined()
    }

    /// The first characters that make a spreadsheet read a cell as a formula (or, for tab and
    /// carriage return, hide one behind them).
    static let formulaStarts: Set<Unicode.Scalar> = [
        "=", "+", "-", "@", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}", "\t", "\r",
    ]

    /// A cell as it is written between commas.
    static func field(_ cell: Cell) -> String {
        switch cell {
        case .integer(let value):
            return String(value)
        case .text(let text):
            guard var text else { return "" }
            var quoted = false
            if let first = text.unicodeScalars.first, formulaStarts.contains(first) {
                text = "'" + text
                quoted = true
            }
            if quoted || text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) {
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return text
        }
    }

    private static func line(_ cells: [Cell]) -> String {
        cells.map(field).joined(separator: ",") + "\r\n"
    }
}
