import Foundation

/// Paging of a sorted report with an opaque cursor: the base64url of the
/// last row's ordering key, so pages stay consistent while rows are
/// ordered by a key and not by an offset.
enum ReportPage {
    /// The most rows one page holds.
    static let maximumLimit = 10_000

    /// `limit` when it is a page size this API accepts.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)``.
    static func checked(limit: Int) throws -> Int {
        try checked(limit: limit, maximum: maximumLimit)
    }

    /// `limit` when it is a page size of at most `maximum` (a report's own bound).
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)``.
    static func checked(limit: Int, maximum: Int) throws -> Int {
        guard (1...maximum).contains(limit) else {
            throw ProjectionError.invalidParameter(field: "limit", message: "must be between 1 and \(maximum)")
        }
        return limit
    }

    /// The ordering key a cursor names.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for text that is no cursor.
    static func key(of cursor: String) throws -> String {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8) else {
            throw invalidCursor
        }
        return key
    }

    /// The cursor of the page after the row with ordering key `key`.
    static func cursor(after key: String) -> String {
        Data(key.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The refusal of a cursor that does not name a row of the report.
    static let invalidCursor = ProjectionError.invalidParameter(
        field: "cursor", message: "is not a cursor of this report")

    /// Rows after the one `cursor` names, at most `limit`, and the cursor of the next page.
    static func slice<Row>(
        _ rows: [Row], limit: Int, cursor: String?, key: (Row) -> String
    ) throws
        -> (rows: [Row], next: String?)
    {
        let limit = try checked(limit: limit)
        var start = 0
        if let cursor {
            let after = try self.key(of: cursor)
            start = rows.firstIndex { key($0) > after } ?? rows.count
        }
        let end = min(rows.count, start + limit)
        let page = Array(rows[start..<end])
        guard end < rows.count, let last = page.last else { return (page, nil) }
        return (page, self.cursor(after: key(last)))
    }
}
