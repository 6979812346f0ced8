import Access
import Foundation
import JSON
import Logging
import PQ
import ServiceLifecycle
import TestSupport
import Testing

@testable import Projections

@Suite("Runner and blue/green rebuild")
struct RebuildTests {
    func seed(_ log: SalesLog, clients: Int = 3) async throws {
        for number in 1...clients {
            let client = UUID.numbered(number)
            try await log.client(client, name: "C\(number)", registeredOn: "2026-01-01")
            try await log.invoice(UUID(), client: client, issuedOn: "2026-01-01", dueOn: "2026-01-31", amount: 1_000)
            try await log.deal(UUID(), client: client, openedOn: "2026-01-02", amount: 500)
            try await log.order(client: client, placedOn: "2026-01-03", amount: 700)
        }
    }

    @Test func rebuildEqualsLiveAndSwaps() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        try await log.catchUp(batchSize: 3)
        for projection in Projection.all {
            let outcome = try await log.query {
                try ProjectionRebuild(
                    projection: projection, batchSize: 4, personalData: log.database.personalData,
                    logger: TestDatabase.logger
                ).run(on: $0)[0]
            }
            guard case .swapped(_, _, let matched) = outcome else {
                Issue.record("\(projection.name): \(outcome)")
                continue
            }
            #expect(matched)
        }
        let statuses = try await log.query { try ProjectionStatus.all(on: $0) }
        #expect(statuses.allSatisfy { $0.lagEvents == 0 && $0.state == "live" && $0.rebuild == nil })
        let tables: Int = try await log.query {
            try $0.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'readmodels' AND tablename LIKE 'aging_%'")
                .first?.decode(0) ?? 0
        }
        #expect(tables == Projection.aging.tables.count)
    }

    /// Events keep coming while the rebuild fills, checksums and swaps: whichever step they fall
    /// behind, each swap brings both generations to the same position first (recomputing the new
    /// one's checksum when it had to apply events), so every read model matches.
    @Test func aRebuildWhileEventsArriveMatches() async throws {
        let log = try await SalesLog.make()
        var random = SplitMix64(state: 4_242)
        try await log.appendRandomHistory(events: 1_500, using: &random)
        let writer = Task {
            var random = SplitMix64(state: 4_243)
            for _ in 0..<40 { try await log.appendRandomHistory(events: 50, catchingUp: false, using: &random) }
        }
        for _ in 0..<3 { try await log.rebuildAllExpectingMatches(batchSize: 200) }
        try await writer.value
    }

    @Test func mismatchAtTheSameVersionIsReportedAndVersionBumpSwaps() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        try await log.catchUp()
        let live = try await log.query { try ProjectionRegistry.live(.aging, on: $0) }
        try await log.query { connection in
            try connection.execute("DELETE FROM \(fragment: live.table(.clients)) WHERE name = 'C1'")
        }
        let outcome = try await log.query {
            try ProjectionRebuild(
                projection: .aging, personalData: log.database.personalData, logger: TestDatabase.logger
            ).run(on: $0)[0]
        }
        guard case .mismatch = outcome else { Issue.record("expected a mismatch, got \(outcome)"); return }
        let after = try await log.query { try ProjectionRegistry.live(.aging, on: $0) }
        #expect(after.generation == live.generation)
        let status = try await log.query { try ProjectionStatus.all(on: $0) }.first { $0.name == "aging" }
        #expect(status?.lastRebuildError != nil)
        #expect(status?.lastRebuildErrorAt?.hasSuffix("Z") == true, "when it failed, in UTC")
        let shown = status.map { String(decoding: $0.json.serialized(), as: UTF8.self) } ?? ""
        #expect(shown.contains(#""lastRebuildError":{"#) && shown.contains(#""at":""#), "\(shown)")

        let bumped = try await log.query {
            try ProjectionRebuild(
                projection: Projection.aging.withVersion(Projection.aging.version + 1),
                personalData: log.database.personalData, logger: TestDatabase.logger
            )
            .run(on: $0)[0]
        }
        #expect(
            bumped == .swapped(generation: after.generation + 2, position: after.position, checksumMatched: false)
                || { if case .swapped(_, _, false) = bumped { true } else { false } }())
        let newLive = try await log.query { try ProjectionRegistry.live(.aging, on: $0) }
        #expect(newLive.version == Projection.aging.version + 1)
        let afterGoodRebuild = try await log.query { try ProjectionStatus.all(on: $0) }.first { $0.name == "aging" }
        #expect(afterGoodRebuild?.lastRebuildError == nil, "a good rebuild clears the failure")
        #expect(afterGoodRebuild?.lastRebuildErrorAt == nil)
    }

    /// A rebuilding generation is filled without indexes; the generation swapped in has all of
    /// them, at the head, also when the batches were shared out between two connections.
    @Test func theRebuiltGenerationHasItsIndexesAfterTheSwapOnTwoConnections() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        try await log.catchUp()
        let url = log.database.url
        let outcomes = try await log.query {
            try ProjectionRebuild(
                projections: Projection.all, batchSize: 5, personalData: log.database.personalData,
                logger: TestDatabase.logger
            )
            .run(on: $0, helpers: [try Connection(conninfo: url)])
        }
        #expect(outcomes.allSatisfy { if case .swapped(_, _, true) = $0 { true } else { false } })
        let positions = try await log.query { try ProjectionStatus.all(on: $0) }.map(\.position)
        let head: Int64 = try await log.query { try $0.query("SELECT max(position) FROM events").first?.decode(0) ?? 0 }
        #expect(positions.allSatisfy { $0 == head })
        for projection in Projection.all {
            let live = try await log.query { try ProjectionRegistry.live(projection, on: $0) }
            let prefix = "\(projection.name)_v\(live.version)_g\(live.generation)_"
            let indexes: Int = try await log.query {
                try $0.query(
                    """
                    SELECT count(*)::integer FROM pg_indexes
                     WHERE schemaname = 'readmodels' AND left(tablename, length(\(prefix))) = \(prefix)
                       AND right(indexname, 5) <> '_pkey'
                    """
                ).first?.decode(0) ?? 0
            }
            // Primary keys (tables of current state) come with CREATE TABLE; these are the others.
            #expect(indexes == projection.tables.reduce(0) { $0 + $1.indexes.count }, "\(projection.name)")
        }
    }

    /// The checksum sees rows whole: two orders that swapped their clients (same row count, same
    /// values in every column, paired differently) are a mismatch.
    @Test func valuesMovedBetweenRowsAreAMismatch() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        try await log.catchUp()
        let live = try await log.query { try ProjectionRegistry.live(.retention, on: $0) }
        let (first, second) = (UUID.numbered(1).lower, UUID.numbered(2).lower)
        try await log.query { connection in
            try connection.execute(
                """
                UPDATE \(fragment: live.table(.orders))
                   SET client_id = CASE client_id WHEN \(first)::uuid THEN \(second)::uuid ELSE \(first)::uuid END
                 WHERE client_id IN (\(first)::uuid, \(second)::uuid)
                """)
        }
        let outcome = try await log.query {
            try ProjectionRebuild(
                projection: .retention, personalData: log.database.personalData, logger: TestDatabase.logger
            ).run(on: $0)[0]
        }
        guard case .mismatch(let liveSums, let rebuiltSums) = outcome else {
            Issue.record("expected a mismatch, got \(outcome)")
            return
        }
        let differing = zip(liveSums, rebuiltSums).filter { $0 != $1 }
        #expect(differing.count == 1 && differing.first?.0.hasPrefix("orders:3:") == true)
        #expect(try await log.query { try ProjectionRegistry.live(.retention, on: $0) }.generation == live.generation)
    }

    /// Rebuilding several read models together takes every one's lock: a rebuild of one of them
    /// already running refuses the whole set, which leaves no lock and no new generation behind.
    @Test func aSetIsRefusedWhileOneOfItsReadModelsIsRebuilt() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        let holder = try Connection(conninfo: log.database.url)
        _ = try holder.query("SELECT pg_advisory_lock(\(ProjectionRebuild.lockClass), \(Projection.board.lockKey))")
        await #expect(throws: ProjectionError.self) {
            try await log.query {
                try ProjectionRebuild(
                    projections: [.aging, .board], personalData: log.database.personalData, logger: TestDatabase.logger
                ).run(on: $0)
            }
        }
        #expect(try await log.query { try ProjectionRebuild.isRunning(.aging, on: $0) } == false)
        let rebuilding: Int = try await log.query {
            try $0.query("SELECT count(*)::integer FROM readmodels.projection_state WHERE state = 'rebuilding'")
                .first?.decode(0) ?? -1
        }
        #expect(rebuilding == 0)
    }

    /// A rebuild that breaks off half way (here a helper connection whose backend is gone) leaves
    /// its new generations, unindexed, as `rebuilding`; the live ones serve on, and the next
    /// rebuild drops them and starts over.
    @Test func aRebuildBrokenOffHalfWayIsStartedOverCleanly() async throws {
        let log = try await SalesLog.make()
        try await seed(log, clients: 5)
        try await log.catchUp()
        let before = try await log.query { connection in
            try Projection.all.map { try ProjectionRegistry.live($0, on: connection) }
        }
        let url = log.database.url
        await #expect(throws: PQError.self) {
            try await log.query { connection in
                let helper = try Connection(conninfo: url)
                try connection.execute("SELECT pg_terminate_backend(\(helper.backendPID))")
                return try ProjectionRebuild(
                    projections: Projection.all, batchSize: 2, personalData: log.database.personalData,
                    logger: TestDatabase.logger
                )
                .run(on: connection, helpers: [helper])
            }
        }
        let broken = try await log.query { try ProjectionStatus.all(on: $0) }
        #expect(broken.allSatisfy { $0.state == "rebuilding" && $0.rebuild != nil && $0.lagEvents == 0 })
        // Tables a rebuild builds are kept from autovacuum until they are swapped in.
        let withoutAutovacuum: @Sendable (Connection) throws -> Int = {
            try $0.query(
                """
                SELECT count(*)::integer FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'readmodels' AND c.relkind = 'r' AND c.reloptions @> '{autovacuum_enabled=false}'
                """
            ).first?.decode(0) ?? -1
        }
        #expect(try await log.query(withoutAutovacuum) == Projection.all.reduce(0) { $0 + $1.tables.count })
        #expect(try await log.query { try ProjectionRebuild.isRunning(.board, on: $0) } == false)
        let serving = try await log.query { connection in
            try Projection.all.map { try ProjectionRegistry.live($0, on: connection) }
        }
        #expect(serving == before)

        let outcomes = try await log.query {
            try ProjectionRebuild(
                projections: Projection.all, personalData: log.database.personalData, logger: TestDatabase.logger
            ).run(on: $0)
        }
        #expect(outcomes.allSatisfy { if case .swapped(_, _, true) = $0 { true } else { false } })
        let rows: Int = try await log.query {
            try $0.query("SELECT count(*)::integer FROM readmodels.projection_state").first?.decode(0) ?? 0
        }
        #expect(rows == Projection.all.count)
        let tables: Int = try await log.query {
            try $0.query(
                "SELECT count(*)::integer FROM pg_tables WHERE schemaname = 'readmodels' AND tablename <> 'projection_state'"
            )
            .first?.decode(0) ?? 0
        }
        #expect(tables == Projection.all.reduce(0) { $0 + $1.tables.count })
        #expect(try await log.query(withoutAutovacuum) == 0)
    }

    @Test func anInterruptedRebuildIsDroppedAndStartedOver() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        try await log.catchUp()
        try await log.query { connection in
            try connection.execute(
                """
                INSERT INTO readmodels.projection_state (name, generation, version, state, position, rebuild_started_at)
                VALUES ('retention', 999, 2, 'rebuilding', 3, now())
                """)
        }
        let interrupted = try await log.query { try ProjectionStatus.all(on: $0) }.first { $0.name == "retention" }
        #expect(interrupted?.state == "rebuilding" && interrupted?.rebuild?.eventsDone == 3)
        #expect(try await log.query { try ProjectionRebuild.isRunning(.retention, on: $0) } == false)
        let outcome = try await log.query {
            try ProjectionRebuild(
                projection: .retention, personalData: log.database.personalData, logger: TestDatabase.logger
            ).run(on: $0)[0]
        }
        if case .swapped(_, _, let matched) = outcome { #expect(matched) } else { Issue.record("\(outcome)") }
        let rows: Int = try await log.query {
            try $0.query("SELECT count(*) FROM readmodels.projection_state WHERE name = 'retention'").first?.decode(0)
                ?? 0
        }
        #expect(rows == 1)
    }

    /// A rebuild folds its tables of current state without their primary keys and adds them
    /// after: the live batches that follow merge on them.
    @Test func rebuiltTablesOfCurrentStateHaveTheirKeys() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        _ = try await log.query {
            try ProjectionRebuild(
                projections: Projection.all, personalData: log.database.personalData, logger: TestDatabase.logger
            ).run(on: $0)
        }
        for projection in Projection.all {
            let live = try await log.query { try ProjectionRegistry.live(projection, on: $0) }
            for table in projection.tables {
                let keys: Int = try await log.query {
                    try $0.query(
                        """
                        SELECT count(*)::integer FROM pg_index
                         WHERE indrelid = \(Projection.schema + "." + live.tableName(table))::regclass AND indisprimary
                        """
                    ).first?.decode(0) ?? -1
                }
                #expect(keys == (table.fold == nil ? 0 : 1), "\(live.tableName(table))")
            }
        }
        let invoice = UUID()
        try await log.invoice(invoice, client: UUID.numbered(1), issuedOn: "2026-02-01", dueOn: "2026-02-28", amount: 5)
        try await log.catchUp()
        let aging = try await log.query { try ProjectionRegistry.live(.aging, on: $0) }
        let amount: Int64? = try await log.query {
            try $0.query("SELECT amount FROM \(fragment: aging.table(.invoiceBalances)) WHERE invoice_id = \(invoice)")
                .first?.decode(0)
        }
        #expect(amount == 5)
    }

    /// The funnel and the objections report keep no tables: they are served by the board, whose
    /// status they show, and a rebuild asked of either by name is the board's.
    @Test func theFunnelAndTheObjectionsReportAreServedByTheBoard() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        try await log.catchUp()
        let statuses = try await log.query { try ProjectionStatus.all(on: $0) }
        #expect(statuses.map(\.name) == Projection.all.map(\.name) + ["funnel", "objections", "receivables-invoices"])
        #expect(Projection.named("receivables-invoices") == .aging)
        #expect(statuses.last?.servedBy == "aging")
        let board = try #require(statuses.first { $0.name == "board" })
        #expect(board.servedBy == nil)
        for report in ["funnel", "objections"] {
            #expect(Projection.named(report) == .board)
            #expect(!Projection.all.contains { $0.name == report })
            let served = try #require(statuses.first { $0.name == report })
            var expected = board
            expected.name = report
            expected.servedBy = "board"
            #expect(served == expected)
            let tables: Int = try await log.query {
                try $0.query(
                    "SELECT count(*)::integer FROM pg_tables WHERE schemaname = 'readmodels' AND left(tablename, length(\(report))) = \(report)"
                ).first?.decode(0) ?? -1
            }
            #expect(tables == 0, "\(report)")
        }
    }

    @Test func aFailingBatchLeavesNeitherRowsNorCheckpoint() async throws {
        let log = try await SalesLog.make()
        let client = UUID.numbered(1)
        try await log.client(client, name: "C", registeredOn: "2026-01-01")
        try await log.invoice(UUID(), client: client, issuedOn: "2026-01-01", dueOn: "2026-01-31", amount: 1_000)
        try await log.append(
            "InvoiceIssued", stream: "receivables-\(client.lower)", client: client,
            [
                "invoiceId": UUID().lower, "clientId": client.lower, "number": "X", "issuedOn": "2026-01-01",
                "dueOn": "2026-01-31", "amountMinor": "not a number", "currency": "RUB",
            ])
        await #expect(throws: PQError.self) {
            try await log.query {
                try ProjectionRegistry.applyNextBatch(
                    .aging, batchSize: 100, personalData: log.database.personalData, on: $0)
            }
        }
        let live = try await log.query { try ProjectionRegistry.live(.aging, on: $0) }
        #expect(live.position == 0)
        let invoices: Int = try await log.query {
            try $0.query("SELECT count(*) FROM \(fragment: live.table(.invoices))").first?.decode(0) ?? -1
        }
        #expect(invoices == 0)
    }

    @Test func theRunnerRebuildsAReadModelOfAnOlderVersion() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        try await log.catchUp()
        let runner = ProjectionRunner(
            conninfo: log.database.url, projections: [Projection.aging.withVersion(Projection.aging.version + 1)],
            pollInterval: 0.1, personalData: log.database.personalData, logger: TestDatabase.logger)
        let task = Task { try await runner.run() }
        defer { task.cancel() }
        var version = Projection.aging.version
        for _ in 0..<100 where version == Projection.aging.version {
            try await Task.sleep(for: .milliseconds(100))
            version = try await log.query { try ProjectionRegistry.live(.aging, on: $0) }.version
        }
        #expect(version == Projection.aging.version + 1)
    }

    /// A tick that worked for `work` waits ten times as long before the next, between the
    /// minimum interval and 250 ms; a minimum above 250 ms still holds.
    @Test func ticksSpaceOutUnderWorkWithinTheirBounds() throws {
        let runner = ProjectionRunner(
            conninfo: "postgresql://unused",
            personalData: PersonalDataKeys(masterKeys: MasterKeyring(current: .random())),
            logger: TestDatabase.logger)
        #expect(runner.interval(afterWorking: .zero) == .milliseconds(50))
        #expect(runner.interval(afterWorking: .milliseconds(3)) == .milliseconds(50))
        #expect(runner.interval(afterWorking: .milliseconds(12)) == .milliseconds(120))
        #expect(runner.interval(afterWorking: .seconds(30)) == .milliseconds(250))
        let slow = ProjectionRunner(
            conninfo: "postgresql://unused", minimumTickInterval: .seconds(1),
            personalData: PersonalDataKeys(masterKeys: MasterKeyring(current: .random())), logger: TestDatabase.logger)
        #expect(slow.interval(afterWorking: .milliseconds(3)) == .seconds(1))
        #expect(slow.interval(afterWorking: .seconds(30)) == .seconds(1))
    }

    @Test func theRunnerKeepsUpAndOnlyOneRunnerHoldsEachProjection() async throws {
        let log = try await SalesLog.make()
        try await seed(log)
        let first = ProjectionRunner(
            conninfo: log.database.url, pollInterval: 0.1, personalData: log.database.personalData,
            logger: TestDatabase.logger)
        let second = ProjectionRunner(
            conninfo: log.database.url, pollInterval: 0.1, personalData: log.database.personalData,
            logger: TestDatabase.logger)
        let tasks = [Task { try await first.run() }, Task { try await second.run() }]
        defer { tasks.forEach { $0.cancel() } }
        try await seed(log, clients: 5)
        var caughtUp = false
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(100))
            let statuses = try await log.query { try ProjectionStatus.all(on: $0) }
            if statuses.allSatisfy({ $0.lagEvents == 0 && $0.position > 0 }) {
                caughtUp = true
                break
            }
        }
        #expect(caughtUp)
        #expect(first.holding.intersection(second.holding).isEmpty)
        #expect(first.holding.union(second.holding) == Set(Projection.all.map(\.name)))
    }
}
