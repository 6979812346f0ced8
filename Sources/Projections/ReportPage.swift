import Foundation

/// Paging of a sorted report with an opaque cursor: the base64url of the
/// last row's ordering key, so pages stay consistent while rows are
/// ordered by a key and not by an offset.
enum ReportPage {
    /// The most rows one page holds.
    static let maximumLimit = 10_000

    /// Rows after the one `cursor` names, at most `limit`, and the cursor of the next page.
    static func slice<Row>(_ rows: [Row], limit: Int, cursor: String?, key: (Row) -> String) throws
        -> (rows: [Row], next: String?)
    {
        guard (1...maximumLimit).contains(limit) else {
            throw ProjectionError.invalidParameter(field: "limit", message: "must be between 1 and \(maximumLimit)")
        }
        var start = 0
        if let cursor {
            var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), let after = String(data: data, encoding: .utf8) else {
                throw ProjectionError.invalidParameter(field: "cursor", message: "is not a cursor of this report")
            }
            start = rows.firstIndex { key($0) > after } ?? rows.count
        }
        let end = min(rows.count, start + limit)
        let page = Array(rows[start..<end])
        guard end < rows.count, let last = page.last else { return (page, nil) }
        let next = Data(key(last).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (page, next)
    }

    /// A CSV field, quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
