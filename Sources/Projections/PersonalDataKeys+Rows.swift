import Access
import PQ

extension PersonalDataKeys {
    /// Opens the personal value at `field` of every row in place (``open(_:lockingKeys:on:)``):
    /// the plaintext, or nil with `erased` set where the client's personal data was erased. Read
    /// models hold personal values only sealed, as the log does.
    func open<Row>(
        _ rows: inout [Row], _ field: WritableKeyPath<Row, String?>, erased: WritableKeyPath<Row, Bool>,
        on connection: Connection
    ) throws {
        let texts = rows.map { $0[keyPath: field] }
        let opened = try open(texts, on: connection)
        for (index, value) in zip(rows.indices, opened) {
            rows[index][keyPath: field] = value.text
            rows[index][keyPath: erased] = value.erased
        }
    }
}
