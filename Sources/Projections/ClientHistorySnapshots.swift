import Foundation
import JSON
import PQ
import Sales

/// Snapshots of a client history's state in PostgreSQL (`client_history_snapshots`, migration
/// 0011): the fold of the client's events up to a position, with the latest business date and
/// recording instant among them, so that a cut that counts all of them can start there.
enum ClientHistorySnapshots {
    /// A stored snapshot.
    struct Stored: Sendable {
        let position: Int64
        let maxBusinessDate: LocalDate
        let maxRecordedAt: Instant
        let text: String
    }

    /// The latest snapshot of `client` at the current fold version whose events all count as of
    /// `asOf` as known at `knownAt` (nil: everything recorded).
    static func nearest(_ client: UUID, asOf: LocalDate, knownAt: Instant?, on connection: Connection) throws -> Stored?
    {
        guard
            let row = try connection.query(
                """
                SELECT position, max_business_date::text, format_instant(max_recorded_at), state
                  FROM client_history_snapshots
                 WHERE client_id = \(client) AND fold_version = \(ClientHistoryState.foldVersion)
                   AND max_business_date <= \(asOf.description)::date
                   AND max_recorded_at <= \(knownAt?.description ?? "infinity")::timestamptz
                 ORDER BY position DESC LIMIT 1
                """, prepared: true
            ).first
        else { return nil }
        let dateText: String = try row.decode(1)
        let instantText: String = try row.decode(2)
        guard let date = LocalDate(dateText), let instant = Instant(instantText) else { return nil }
        return Stored(
            position: try row.decode(0), maxBusinessDate: date, maxRecordedAt: instant, text: try row.decode(3))
    }

    /// Stores `state`, the fold of `client`'s events up to `position` (none is stored twice).
    static func write(
        _ state: ClientHistoryState, of client: UUID, position: Int64, maxBusinessDate: LocalDate,
        maxRecordedAt: Instant, on connection: Connection
    ) throws {
        let text = String(decoding: state.snapshot.serialized(), as: UTF8.self)
        try connection.execute(
            """
            INSERT INTO client_history_snapshots
                   (client_id, fold_version, position, max_business_date, max_recorded_at, state)
            VALUES (\(client), \(ClientHistoryState.foldVersion), \(position), \(maxBusinessDate.description)::date,
                    \(maxRecordedAt.description)::timestamptz, \(text))
            ON CONFLICT DO NOTHING
            """, prepared: true)
    }

    /// Deletes the snapshot of `client` at `position` (one that does not decode).
    static func delete(_ client: UUID, position: Int64, on connection: Connection) throws {
        try connection.execute(
            """
            DELETE FROM client_history_snapshots
             WHERE client_id = \(client) AND fold_version = \(ClientHistoryState.foldVersion) AND position = \(position)
            """, prepared: true)
    }
}
