import EventStore
import Foundation
import PQ
import TestSupport
import Testing

/// What the runtime role may not do to the log and the tokens, as `touchstone migrate` grants it.
@Suite("Runtime role's privileges")
struct RuntimeRoleTests {
    /// As the runtime role: an insert that names `position`, `transaction_id` or `recorded_at` is
    /// refused, one that leaves them to the database is stored with the database's values; the
    /// role cannot update a token's name, and no role can clear or move a revocation.
    @Test func theDatabaseSetsOrderingColumnsAndRevocationsAreFinal() async throws {
        let database = try await TestDatabase.make()
        defer { database.pool.close() }
        let role = "ts_runtime_" + UUID().uuidString.prefix(8).lowercased()
        try await database.pool.withConnection { connection in
            try connection.execute("CREATE ROLE \(identifier: role) NOLOGIN")
            try Migrator.grantRuntimeRole(role, on: connection)
            try connection.execute(
                """
                INSERT INTO access_tokens (token_id, name, role, secret_hash, revoked_at)
                VALUES (\(UUID()), 'gone', 'sales', repeat('a', 64), now() - interval '1 day')
                """)
        }
        let columns =
            "stream_id, stream_version, event_id, type, schema_version, data, metadata, occurred_at"
        let values = "'client-x', 1, gen_random_uuid(), 'Probe', 1, '{}', '{}', now()"
        func asRuntime(_ statement: String) async throws -> String? {
            try await database.pool.withConnection { connection in
                do {
                    try connection.transaction { connection in
                        try connection.execute("SET LOCAL ROLE \(identifier: role)")
                        try connection.executeScript(statement)
                    }
                    return nil
                } catch let error as PQError {
                    return error.sqlState
                }
            }
        }
        #expect(
            try await asRuntime("INSERT INTO events (position, \(columns)) VALUES (999999, \(values))") == "42501")
        #expect(
            try await asRuntime("INSERT INTO events (recorded_at, \(columns)) VALUES ('2000-01-01', \(values))")
                == "42501")
        #expect(
            try await asRuntime(
                "INSERT INTO events (transaction_id, \(columns)) VALUES ('1'::xid8, \(values))") == "42501")
        #expect(try await asRuntime("INSERT INTO events (\(columns)) VALUES (\(values))") == nil)
        #expect(try await asRuntime("UPDATE access_tokens SET name = 'renamed'") == "42501")
        #expect(try await asRuntime("UPDATE access_tokens SET revoked_at = NULL WHERE name = 'gone'") == "42501")
        // Not even the owner clears a revocation.
        let asOwner: String? = try await database.pool.withConnection { connection in
            do {
                try connection.execute("UPDATE access_tokens SET revoked_at = NULL WHERE name = 'gone'")
                return nil
            } catch let error as PQError {
                return error.sqlState
            }
        }
        #expect(asOwner == "42501")
        let stored = try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT position > 0 AND recorded_at > now() - interval '1 hour' FROM events WHERE type = 'Probe'"
            ).first?.decode(0, as: Bool.self)
        }
        #expect(stored == true, "the database gave the stored row its position and recording time")
        try await database.pool.withConnection { connection in
            try connection.execute("REASSIGN OWNED BY \(identifier: role) TO CURRENT_USER")
            try connection.execute("DROP OWNED BY \(identifier: role)")
            try connection.execute("DROP ROLE \(identifier: role)")
        }
    }
}
