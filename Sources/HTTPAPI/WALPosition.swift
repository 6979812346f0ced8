import PQ

/// Where the database a server reads stands in PostgreSQL's write-ahead log, as `GET /readyz`
/// shows it: on a primary the position written so far (`pg_current_wal_lsn()`), on a hot standby
/// the position replayed so far (`pg_last_wal_replay_lsn()`), both as bytes from the log's start,
/// so that a caller compares them as integers. A standby has replayed everything the primary had
/// written when its position is at least the primary's.
struct WALPosition: Sendable {
    /// Whether the database is a standby in recovery.
    let recovering: Bool
    /// Bytes of write-ahead log written (primary) or replayed (standby).
    let bytes: Int64
    /// On a standby, the commit instant of the last transaction it replayed (nil on a primary, or
    /// before its first replayed transaction).
    let replayedAt: String?

    /// The position of the database `connection` reaches.
    static func read(on connection: Connection) throws -> WALPosition {
        guard
            let row = try connection.query(
                """
                SELECT pg_is_in_recovery(),
                       ((CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)
                        - '0/0'::pg_lsn)::bigint,
                       format_instant(pg_last_xact_replay_timestamp())
                """
            ).first
        else { throw PQError(kind: .decoding, message: "no row for the WAL position") }
        return WALPosition(
            recovering: try row.decode(0), bytes: try row.decodeOptional(1) ?? 0, replayedAt: try row.decodeOptional(2))
    }
}
