import EventStore
import Foundation
import PQ
import TestSupport
import Testing

/// The log is range-partitioned by position (`Schema/0012`): partitions are made ahead of need,
/// each is append-only and carries the log's grants, and a database migrated before keeps its
/// events in the first partition.
@Suite("Partitioned log")
struct PartitionedLogTests {
    static func event(_ number: Int) -> NewEvent {
        NewEvent(
            type: "Noted", data: #"{"n":\#(number)}"#, metadata: EventMetadata(actor: "test"),
            occurredAt: "2026-01-01T00:00:00Z")
    }

    static func partitions(_ database: TestDatabase) async throws -> [String] {
        try await database.pool.withConnection { try LogPartitions.tables(on: $0) }
    }

    @Test func aNewDatabaseHasThePartitionsAheadEachAppendOnlyWithTheLogsGrants() async throws {
        let database = try await TestDatabase.make()
        let kind: String = try await database.pool.withConnection { connection in
            try connection.query("SELECT relkind::text FROM pg_class WHERE oid = 'events'::regclass").first?.decode(0)
                ?? ""
        }
        #expect(kind == "p")
        #expect(
            try await Self.partitions(database) == ["events_from_0", "events_from_10000000", "events_from_20000000"])
        #expect(try await database.pool.withConnection { try LogPartitions.ensure(on: $0) } == 0)

        let role = "runtime_\(UInt32.random(in: 0...UInt32.max))"
        let (reads, updates, truncateRefused, updateRefused) = try await database.pool.withConnection { connection in
            try connection.execute("CREATE ROLE \(identifier: role)")
            try connection.execute("GRANT SELECT, INSERT ON events TO \(identifier: role)")
            _ = try LogPartitions.ensure(on: connection)
            let privileges = try connection.query(
                """
                SELECT bool_and(has_table_privilege(\(role), c.oid, 'SELECT')),
                       bool_or(has_table_privilege(\(role), c.oid, 'UPDATE'))
                  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass
                """
            ).first
            _ = try EventStore.append(
                on: connection, to: try StreamID("note-a"), expected: .noStream, events: [Self.event(1)])
            var truncateRefused = false
            do { try connection.execute("TRUNCATE events_from_0") } catch let error as PQError {
                truncateRefused = error.sqlState == "TS405"
            }
            var updateRefused = false
            do { try connection.execute("UPDATE events_from_0 SET type = 'x'") } catch let error as PQError {
                updateRefused = error.sqlState == "TS405"
            }
            return (
                try privileges?.decode(0, as: Bool.self) ?? false, try privileges?.decode(1, as: Bool.self) ?? true,
                truncateRefused, updateRefused
            )
        }
        #expect(reads && !updates)
        #expect(truncateRefused && updateRefused)
    }

    @Test func appendsAcrossPartitionBoundariesLandInOrderOnceTheirPartitionsAreMade() async throws {
        let database = try await TestDatabase.make()
        // Near the top of the partitions made so far.
        try await database.pool.withConnection { connection in
            _ = try connection.query("SELECT setval('event_position', 29999990)")
        }
        #expect(try await database.pool.withConnection { try LogPartitions.ensure(on: $0) } == 2)
        for batch in 0..<3 {
            _ = try await database.store.append(
                to: try StreamID("note-\(batch)"), expected: .noStream,
                events: (1...10).map { Self.event(batch * 10 + $0) })
        }
        #expect(
            try await Self.partitions(database) == [
                "events_from_0", "events_from_10000000", "events_from_20000000", "events_from_30000000",
                "events_from_40000000",
            ])
        let (perPartition, positions) = try await database.pool.withConnection { connection in
            (
                try connection.query(
                    "SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1 ORDER BY 1"
                ).rows.map { "\(try $0.decode(0) as String)=\(try $0.decode(1) as Int64)" },
                try EventStore.readAll(after: 0, limit: 100, on: connection).map(\.position)
            )
        }
        #expect(perPartition.count == 2 && perPartition.allSatisfy { $0.hasPrefix("events_from_") })
        #expect(positions.count == 30 && positions == positions.sorted() && Set(positions).count == 30)
        #expect(positions.first! < 30_000_000 && positions.last! >= 30_000_000)

        // Past the last partition made an append is refused, until maintenance makes the next ones.
        try await database.pool.withConnection { connection in
            _ = try connection.query("SELECT setval('event_position', 59999995)")
        }
        await #expect(throws: PQError.self) {
            _ = try await database.store.append(
                to: try StreamID("note-x"), expected: .noStream, events: (1...20).map(Self.event))
        }
        #expect(try await database.pool.withConnection { try LogPartitions.ensure(on: $0) } > 0)
        _ = try await database.store.append(
            to: try StreamID("note-x"), expected: .noStream, events: (1...20).map(Self.event))
        #expect(try await database.store.version(of: try StreamID("note-x")) == 20)
    }

    @Test func aDatabaseMigratedBeforeKeepsItsEventsInTheFirstPartition() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in try FileManager.default.contentsOfDirectory(atPath: TestCluster.schemaDirectory.path)
        where file.hasSuffix(".sql") && file < "0012" {
            try FileManager.default.copyItem(
                at: TestCluster.schemaDirectory.appendingPathComponent(file), to: directory.appendingPathComponent(file)
            )
        }
        _ = try await database.pool.withConnection { try Migrator(directory: directory).migrate(on: $0) }
        for stream in 0..<25 {
            _ = try await database.store.append(
                to: try StreamID("note-\(stream)"), expected: .noStream, events: (1...4).map(Self.event))
        }
        let before = try await database.pool.withConnection { connection in
            try EventStore.readAll(after: 0, limit: 1_000, on: connection)
        }
        let applied = try await database.pool.withConnection {
            try Migrator(directory: TestCluster.schemaDirectory).migrate(on: $0)
        }
        #expect(applied.contains("0012_partitioned_events.sql"))
        let after = try await database.pool.withConnection { connection in
            try EventStore.readAll(after: 0, limit: 1_000, on: connection)
        }
        #expect(after.count == 100 && after == before)
        #expect(try await Self.partitions(database).first == "events_from_0")
        let inFirst: Int64 = try await database.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM events_from_0").first?.decode(0) ?? 0
        }
        #expect(inFirst == 100)
        _ = try await database.store.append(to: try StreamID("note-0"), expected: .exact(4), events: [Self.event(5)])
        #expect(try await database.store.version(of: try StreamID("note-0")) == 5)
    }
}
