import Access
public import Foundation
public import PQ

/// The searchable form of the clients' names in the directory's `client_names` tables: the
/// sealed name opened with the client's data key and lowercased in Swift, kept in `search_name`.
///
/// SQL cannot open a sealed name, and PostgreSQL's `lower()` depends on the cluster's locale, so
/// the runner does both here after inserting a batch's rows (live batches, a rebuild after its
/// fill, and the swap's last events), and the query's text is lowercased the same way.
///
/// Locks are taken in one order: the generation's registry row, then the data keys' rows
/// (`FOR KEY SHARE`, held to the end of the transaction). An erasure takes them in the same order
/// (``forget(_:on:)`` before it deletes the keys): a batch that opened a client's name commits
/// first and the erasure then clears it, or the erasure commits first and the batch finds no key.
public enum ClientNameSearch {
    /// The form names and queries are compared in: Swift's default Unicode case mapping
    /// (`ООО Ромашка` → `ооо ромашка`), the same on every machine and cluster.
    public static func searchable(_ text: String) -> String { text.lowercased() }

    /// The UTF-8 bytes of `text` in lowercase hex, as `encode(convert_to(…, 'UTF8'), 'hex')`
    /// writes them: the form the trigram index searches in (see ``FactTable/clientNames``).
    public static func hex(_ text: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 2)
        for byte in text.utf8 {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Opens every row of `table` in `generation` not opened yet; inside the caller's transaction,
    /// after the generation's registry row was locked. A name whose key was deleted (an erased
    /// client) is marked opened with no search name.
    static func open(
        _ table: FactTable, in generation: ProjectionGeneration, personalData: PersonalDataKeys,
        on connection: Connection
    ) throws {
        let rows = try connection.query(
            "SELECT position, name FROM \(fragment: generation.table(table)) WHERE NOT opened", prepared: true
        )
        .rows
        guard !rows.isEmpty else { return }
        // Rows are told apart by their event's position: a client registered twice (the log
        // allows it) has two rows, each with its own name.
        var positions: [String] = []
        var names: [String?] = []
        for row in rows {
            positions.append(String(try row.decode(0, as: Int64.self)))
            names.append(try row.decodeOptional(1))
        }
        let opener = try personalData.opener(for: names, lockingKeys: true, on: connection)
        // A lowercased name is never empty (a registration's name is not), so '' stands for none.
        let searchNames = try names.map { name in try opener.open(name).text.map(searchable) ?? "" }
        try connection.execute(
            """
            UPDATE \(fragment: generation.table(table)) AS t
               SET search_name = nullif(s.search_name, ''),
                   search_hex = encode(convert_to(nullif(s.search_name, ''), 'UTF8'), 'hex'), opened = true
              FROM unnest(\(PQBinaryArray.text(positions))::text[]::bigint[], \(PQBinaryArray.text(searchNames))::text[])
                   AS s(position, search_name)
             WHERE t.position = s.position AND NOT t.opened
            """)
    }

    /// Removes `client`'s opened name from every generation of the directory, the live one and
    /// any being rebuilt; inside the erasure's transaction, before it deletes the client's keys.
    /// The registry rows stay locked (`FOR SHARE`) until the erasure commits, so no generation is
    /// swapped in or dropped meanwhile, and a batch that holds one finishes first.
    public static func forget(_ client: UUID, on connection: Connection) throws {
        let generations = try connection.query(
            """
            SELECT name, version, generation, position FROM readmodels.projection_state
             WHERE name = \(Projection.directory.name) ORDER BY generation FOR SHARE
            """
        ).rows.map(ProjectionGeneration.decode)
        for generation in generations {
            try connection.execute(
                """
                UPDATE \(fragment: generation.table(.clientNames)) SET search_name = NULL, search_hex = NULL, opened = true
                 WHERE client_id = \(client)
                """)
        }
    }
}
