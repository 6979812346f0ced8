public import Access
import EventStore
import Foundation
import JSON
public import PQ
import Sales

/// The one-time upgrade of a database whose log still holds personal values in plaintext (from
/// before migration 0008): every such value is sealed with its client's data key, in place.
///
/// It is the only code that changes rows of the log, and it runs as the owner role from
/// `touchstone migrate`: the append-only trigger of `events` is disabled for its transaction
/// alone, which also locks out appends until it commits. Values already sealed are left as they
/// are, so running it again changes nothing.
public enum PlaintextSealing {
    /// The events, a batch at a time, whose personal fields are read and rewritten.
    static let batchSize = 1_000

    /// Seals every plaintext personal value of the log on `connection` (the owner's); answers how
    /// many events were rewritten.
    public static func run(personalData: PersonalDataKeys, on connection: Connection) throws -> Int {
        let fieldsByType = Dictionary(
            uniqueKeysWithValues: SalesEvent.payloadTypes.filter { !$0.personalFields.isEmpty }.map {
                ($0.eventType, $0.personalFields)
            })
        let allFields = Set(fieldsByType.values.joined())
        return try connection.transaction { connection in
            try connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
            var sealed = 0
            var after: Int64 = 0
            while true {
                let rows = try connection.query(
                    """
                    SELECT position, type, data::text, client_id FROM events
                     WHERE position > \(after) AND client_id IS NOT NULL
                       AND type = ANY(\(PQBinaryArray.text(Array(fieldsByType.keys)))::text[])
                       AND EXISTS (SELECT 1 FROM jsonb_each(data) f
                                    WHERE f.key = ANY(\(PQBinaryArray.text(Array(allFields)))::text[])
                                      AND jsonb_typeof(f.value) = 'string'
                                      AND left(f.value #>> '{}', \(SealedText.prefix.count)) <> \(SealedText.prefix))
                     ORDER BY position LIMIT \(batchSize)
                    """
                ).rows
                guard let last = rows.last else { break }
                after = try last.decode(0)
                var clients = Set<UUID>()
                for row in rows { clients.insert(try row.decode(3)) }
                let keys = try personalData.sealingKeys(for: clients, on: connection)
                var positions: [String] = []
                var payloads: [String] = []
                for row in rows {
                    let type: String = try row.decode(1)
                    let client: UUID = try row.decode(3)
                    guard let fields = fieldsByType[type], let key = keys[client],
                        let stored = try? JSONValue(parsing: Data((try row.decode(2) as String).utf8)),
                        var members = stored.objectValue
                    else { continue }
                    for field in fields {
                        guard case .string(let text)? = members[field], !SealedText.isSealed(text) else { continue }
                        members[field] = .string(key.seal(text))
                    }
                    positions.append(String(try row.decode(0) as Int64))
                    payloads.append(String(decoding: JSONValue.object(members).serialized(), as: UTF8.self))
                }
                guard !positions.isEmpty else { continue }
                sealed += try connection.execute(
                    """
                    UPDATE events AS e SET data = u.data::jsonb
                      FROM unnest(\(PQBinaryArray.text(positions))::text[]::bigint[], \(PQBinaryArray.text(payloads))::text[]) AS u(position, data)
                     WHERE e.position = u.position
                    """)
            }
            try connection.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")
            return sealed
        }
    }
}
