import Access
import PQ

extension PersonalDataKeys {
    /// Opens the personal value at `field` of every row in place, with the keys of all of them
    /// read in one query: the plaintext, or nil with `erased` set where the client's personal data
    /// was erased. Read models hold personal values only sealed, as the log does.
    func open<Row>(
        _ rows: inout [Row], _ field: WritableKeyPath<Row, String?>, erased: WritableKeyPath<Row, Bool>,
        on connection: Connection
    ) throws {
        let opener = try opener(for: rows.lazy.map { $0[keyPath: field] }, on: connection)
        for index in rows.indices {
            let opened = try opener.open(rows[index][keyPath: field])
            rows[index][keyPath: field] = opened.text
            rows[index][keyPath: erased] = opened.erased
        }
    }
}
