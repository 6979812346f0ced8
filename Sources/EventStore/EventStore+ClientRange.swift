public import Foundation
public import PQ

extension EventStore {
    /// At most `limit` events of `client`, in log order, with a position after `position` and
    /// not past the safe horizon, that count as of the end of the business day `asOf`
    /// (`YYYY-MM-DD`, UTC; nil for every day) and were recorded at or before `knownAt` (RFC 3339,
    /// whole microseconds; nil for everything recorded). A page of a client's history, or the
    /// events after a snapshot of its state. Not prepared: a generic plan may walk the whole log
    /// by position for `LIMIT`, where the plan for the actual client takes its index.
    public static func readClient(
        _ client: UUID, after position: Int64, asOf: String?, knownAt: String?, limit: Int64 = .max,
        on connection: Connection
    ) throws -> [RecordedEvent] {
        let horizon = try safePosition(on: connection)
        guard horizon > position, limit > 0 else { return [] }
        return try connection.query(
            """
            SELECT \(fragment: eventColumns) FROM events
             WHERE client_id = \(client) AND position > \(position) AND position <= \(horizon)
               AND occurred_at < (\(asOf ?? "infinity")::date + 1)::timestamp AT TIME ZONE 'UTC'
               AND recorded_at <= \(knownAt ?? "infinity")::timestamptz
             ORDER BY position LIMIT \(limit)
            """
        ).rows.map(recordedEvent)
    }
}
