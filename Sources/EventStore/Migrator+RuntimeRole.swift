import PQ

extension Migrator {
    /// The columns of `events` an inserting statement may name: everything but the ordering
    /// columns (`position`, `transaction_id`) and `recorded_at`, which the database sets.
    static let insertableEventColumns = [
        "stream_id", "stream_version", "event_id", "type", "schema_version", "data", "metadata", "client_id",
        "occurred_at",
    ]

    /// In a two-role set-up, gives the runtime role `role` what it may do, on `connection` as the
    /// owner: on the log, SELECT, and INSERT of every column but the ordering ones and
    /// `recorded_at` (no UPDATE or DELETE); what appends need on the guard tables; on tokens,
    /// SELECT, INSERT and UPDATE of `revoked_at` only; what idempotency records and data keys
    /// need; and ownership of the read-model schema (rebuilds create and drop its tables).
    public static func grantRuntimeRole(_ role: String, on connection: Connection) throws {
        let quoted = "\"" + role.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let eventColumns = insertableEventColumns.joined(separator: ", ")
        try connection.executeScript(
            """
            GRANT USAGE ON SCHEMA public TO \(quoted);
            REVOKE UPDATE, DELETE, TRUNCATE ON events, event_ids, claims FROM \(quoted);
            REVOKE INSERT ON events FROM \(quoted);
            GRANT SELECT ON events TO \(quoted);
            GRANT INSERT (\(eventColumns)) ON events TO \(quoted);
            GRANT SELECT, INSERT ON event_ids, claims TO \(quoted);
            GRANT SELECT, INSERT, UPDATE ON streams TO \(quoted);
            GRANT USAGE, SELECT ON SEQUENCE event_position TO \(quoted);
            GRANT SELECT ON schema_migrations TO \(quoted);
            REVOKE UPDATE, DELETE, TRUNCATE ON access_tokens FROM \(quoted);
            GRANT SELECT, INSERT ON access_tokens TO \(quoted);
            GRANT UPDATE (revoked_at) ON access_tokens TO \(quoted);
            GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO \(quoted);
            GRANT SELECT, INSERT, UPDATE, DELETE ON personal_data_keys TO \(quoted);
            ALTER SCHEMA readmodels OWNER TO \(quoted);
            ALTER TABLE readmodels.projection_state OWNER TO \(quoted);
            ALTER SEQUENCE readmodels.projection_generation OWNER TO \(quoted);
            """)
    }
}
