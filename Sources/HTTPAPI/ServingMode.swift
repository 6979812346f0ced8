public import PQ

/// Whether `touchstone serve` records commands on a primary or only reads a hot standby.
///
/// Decided once at start from `pg_is_in_recovery()` of the database `DATABASE_URL` names. On a
/// ``replica`` every route that would write (every `POST` and `DELETE`) answers 503
/// `read-only-replica` with `Retry-After`, the reports, the history and the feed are served from
/// what the standby has replayed, and no projection runner, token listener or partition upkeep
/// runs: the read models arrive by replication from the primary's runner.
public enum ServingMode: String, Sendable {
    /// A database that takes writes.
    case primary
    /// A hot standby in recovery: read-only.
    case replica

    /// The mode of the database `connection` reaches.
    public static func detect(on connection: Connection) throws -> ServingMode {
        let recovering: Bool = try connection.query("SELECT pg_is_in_recovery()").first?.decode(0) ?? false
        return recovering ? .replica : .primary
    }
}
