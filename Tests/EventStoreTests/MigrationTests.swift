import EventStore
import Foundation
import PQ
import TestSupport
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test func migrateAppliesEachFileOnceAndIsIdempotent() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let migrator = try Migrator(directory: TestCluster.schemaDirectory)
        let (first, second, recorded) = try await database.pool.withConnection { connection in
            let first = try migrator.migrate(on: connection)
            let second = try migrator.migrate(on: connection)
            let recorded: Int = try connection.query("SELECT count(*) FROM schema_migrations").first?.decode(0) ?? 0
            return (first, second, recorded)
        }
        #expect(first == migrator.migrations.map(\.name))
        #expect(second.isEmpty)
        #expect(recorded == migrator.migrations.count)
    }

    /// The level `/readyz` waits for is the newest migration of `Schema/`, and a database is
    /// current once migrated.
    /// Migration 0018 claims every touch already in the log, so a touch id recorded before it
    /// cannot be recorded again after it (the client's state no longer holds touch ids).
    @Test func touchesRecordedBeforeTheirClaimsAreClaimedByTheMigration() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in try FileManager.default.contentsOfDirectory(atPath: TestCluster.schemaDirectory.path)
        where file.hasSuffix(".sql") && file < "0018" {
            try FileManager.default.copyItem(
                at: TestCluster.schemaDirectory.appendingPathComponent(file), to: directory.appendingPathComponent(file)
            )
        }
        _ = try await database.pool.withConnection { try Migrator(directory: directory).migrate(on: $0) }
        let client = try StreamID("client-\(UUID().uuidString.lowercased())")
        let touches = (0..<3).map { _ in UUID().uuidString.lowercased() }
        _ = try await database.store.append(
            to: client, expected: .noStream,
            events: touches.map {
                NewEvent(
                    type: "TouchRecorded", schemaVersion: 2, data: #"{"touchId":"\#($0)"}"#,
                    metadata: EventMetadata(actor: "test"), occurredAt: "2026-01-01T00:00:00Z")
            })
        let applied = try await database.pool.withConnection {
            try Migrator(directory: TestCluster.schemaDirectory).migrate(on: $0)
        }
        #expect(applied.contains("0018_touch_claims.sql"))
        let claimed: [String] = try await database.pool.withConnection { connection in
            try connection.query("SELECT key FROM claims WHERE scope = 'touch' AND stream_id = \(client.description)")
                .rows.map { try $0.decode(0) }
        }
        #expect(Set(claimed) == Set(touches))
    }

    @Test func theRequiredLevelIsTheNewestMigration() async throws {
        let migrator = try Migrator(directory: TestCluster.schemaDirectory)
        #expect(Migrator.requiredVersion == migrator.migrations.map(\.version).max())
        let database = try await TestDatabase.make(migrated: false)
        #expect(try await database.pool.withConnection { try Migrator.isCurrent(on: $0) } == false)
        let current = try await database.pool.withConnection { connection in
            _ = try migrator.migrate(on: connection)
            return try Migrator.isCurrent(on: connection)
        }
        #expect(current)
    }

    /// The runtime role gets what migration 0013 lists: the log only to read and append, the
    /// read-model schema to own.
    @Test func theRuntimeRoleGetsTheMigrationsGrants() async throws {
        let database = try await TestDatabase.make()
        let role = "runtime_\(UUID().uuidString.lowercased().prefix(8))"
        let rights: [String: Bool] = try await database.pool.withConnection { connection in
            try connection.executeScript("CREATE ROLE \"\(role)\" NOLOGIN")
            defer {
                _ = try? connection.executeScript(
                    "REASSIGN OWNED BY \"\(role)\" TO CURRENT_USER; DROP OWNED BY \"\(role)\"; DROP ROLE \"\(role)\"")
            }
            try connection.executeScript("GRANT UPDATE ON events TO \"\(role)\"")
            try Migrator.grantRuntimeRole(role, on: connection)
            let row = try #require(
                try connection.query(
                    """
                    SELECT has_column_privilege(\(role)::name, 'events', 'data', 'INSERT')
                           AND NOT has_column_privilege(\(role)::name, 'events', 'position', 'INSERT'),
                           has_table_privilege(\(role)::name, 'events', 'SELECT'),
                           has_table_privilege(\(role)::name, 'events', 'UPDATE'),
                           has_table_privilege(\(role)::name, 'event_ids', 'DELETE'),
                           has_table_privilege(\(role)::name, 'streams', 'UPDATE'),
                           has_table_privilege(\(role)::name, 'personal_data_keys', 'DELETE'),
                           (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'readmodels') = \(role)::text
                    """
                ).first)
            return [
                "insert events but their order": try row.decode(0), "select events": try row.decode(1),
                "update events": try row.decode(2), "delete event ids": try row.decode(3),
                "update streams": try row.decode(4), "delete data keys": try row.decode(5),
                "owns readmodels": try row.decode(6),
            ]
        }
        #expect(
            rights == [
                "insert events but their order": true, "select events": true, "update events": false,
                "delete event ids": false,
                "update streams": true, "delete data keys": true, "owns readmodels": true,
            ])
    }

    @Test func aChangedAppliedMigrationIsRefused() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("0001_things.sql")
        try "CREATE TABLE things (id int);".write(to: file, atomically: true, encoding: .utf8)
        let original = try Migrator(directory: directory)
        _ = try await database.pool.withConnection { try original.migrate(on: $0) }
        try "CREATE TABLE things (id bigint);".write(to: file, atomically: true, encoding: .utf8)
        let changed = try Migrator(directory: directory)
        await #expect(throws: Migrator.Failure.changedAfterApply(name: "0001_things.sql")) {
            try await database.pool.withConnection { try changed.migrate(on: $0) }
        }
        try "CREATE TABLE more (id int);".write(
            to: directory.appendingPathComponent("0002_more.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE things (id int);".write(to: file, atomically: true, encoding: .utf8)
        let extended = try Migrator(directory: directory)
        let applied = try await database.pool.withConnection { try extended.migrate(on: $0) }
        #expect(applied == ["0002_more.sql"])
    }

    /// A database whose funnel kept tables of its own loses them, and their registry rows, when
    /// the funnel moves onto the board's facts; the other read models' tables stay.
    @Test func theFunnelsOwnTablesAreDroppedByItsMigration() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let migrator = try Migrator(directory: TestCluster.schemaDirectory)
        let migrationsBefore = try #require(migrator.migrations.firstIndex { $0.name == "0006_funnel_from_board.sql" })
        let earlier = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: earlier, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: earlier) }
        for migration in migrator.migrations.prefix(migrationsBefore) {
            try FileManager.default.copyItem(
                at: TestCluster.schemaDirectory.appendingPathComponent(migration.name),
                to: earlier.appendingPathComponent(migration.name))
        }
        let (funnelTables, boardTables, rows) = try await database.pool.withConnection { connection in
            _ = try Migrator(directory: earlier).migrate(on: connection)
            try connection.executeScript(
                """
                CREATE TABLE readmodels.funnel_v1_g3_deals (deal_id uuid);
                CREATE TABLE readmodels.funnel_v1_g4_stage_entries (deal_id uuid);
                CREATE TABLE readmodels.board_v2_g1_deals (deal_id uuid);
                INSERT INTO readmodels.projection_state (name, generation, version, state)
                VALUES ('funnel', 3, 1, 'live'), ('funnel', 4, 1, 'rebuilding'), ('board', 1, 2, 'live');
                """)
            #expect(try migrator.migrate(on: connection).first == "0006_funnel_from_board.sql")
            func count(_ sql: SQL) throws -> Int { try connection.query(sql).first?.decode(0) ?? -1 }
            return (
                try count(
                    "SELECT count(*)::integer FROM pg_tables WHERE schemaname = 'readmodels' AND tablename LIKE 'funnel%'"
                ),
                try count(
                    "SELECT count(*)::integer FROM pg_tables WHERE schemaname = 'readmodels' AND tablename LIKE 'board%'"
                ),
                try count("SELECT count(*)::integer FROM readmodels.projection_state WHERE name = 'funnel'")
            )
        }
        #expect(funnelTables == 0 && rows == 0)
        #expect(boardTables == 1)
    }

    @Test func aBadFileNameIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("first.sql"), atomically: true, encoding: .utf8)
        #expect(throws: Migrator.Failure.badFileName("first.sql")) { try Migrator(directory: directory) }
        #expect(throws: Migrator.Failure.self) { try Migrator(directory: directory.appendingPathComponent("none")) }
    }
}
