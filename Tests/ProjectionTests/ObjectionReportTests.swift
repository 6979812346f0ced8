import Foundation
import JSON
import PQ
import Projections
import Sales
import TestSupport
import Testing

@Suite("Objection report")
struct ObjectionReportTests {
    static let january = (from: LocalDate("2026-01-01")!, to: LocalDate("2026-01-31")!)

    /// A January cohort of four sales deals, and two deals outside it (opened in February, and in
    /// another pipeline), each with an objection that must not count.
    static func record(_ log: SalesLog) async throws {
        let client = UUID.numbered(1)
        let (won, lost, silent, open) = (UUID.numbered(11), UUID.numbered(12), UUID.numbered(13), UUID.numbered(14))
        let (later, partner) = (UUID.numbered(15), UUID.numbered(16))
        try await log.client(client, name: "Acme", registeredOn: "2026-01-01")
        // Won after three objections: a price objection resolved, one not, a budget one never handled.
        try await log.deal(won, client: client, openedOn: "2026-01-05", amount: 100)
        let (resolved, unresolved) = (UUID.numbered(21), UUID.numbered(22))
        try await log.objection(resolved, deal: won, client: client, raisedOn: "2026-01-06")
        try await log.objection(unresolved, deal: won, client: client, raisedOn: "2026-01-06")
        try await log.objection(
            UUID.numbered(23), deal: won, client: client, raisedOn: "2026-01-07", category: "no-budget")
        try await log.handle(resolved, deal: won, client: client, on: "2026-01-08")
        try await log.handle(unresolved, deal: won, client: client, on: "2026-01-08", resolved: false)
        try await log.win(won, client: client, stage: "lead", on: "2026-01-20")
        // Lost after six: two on price (the first with two outcomes in the log, the later one by
        // position not resolved, though dated earlier), four on the crisis, never handled.
        try await log.deal(lost, client: client, openedOn: "2026-01-06", amount: 100)
        let (twice, price) = (UUID.numbered(31), UUID.numbered(32))
        try await log.objection(twice, deal: lost, client: client, raisedOn: "2026-01-07")
        try await log.objection(price, deal: lost, client: client, raisedOn: "2026-01-07")
        try await log.handle(twice, deal: lost, client: client, on: "2026-01-10")
        try await log.handle(twice, deal: lost, client: client, on: "2026-01-09", resolved: false)
        for number in 33...36 {
            try await log.objection(
                UUID.numbered(number), deal: lost, client: client, raisedOn: "2026-01-08", category: "crisis")
        }
        try await log.lose(lost, client: client, stage: "lead", on: "2026-01-25", refusedBy: "client", reason: "crisis")
        // Won without an objection; still open after one.
        try await log.deal(silent, client: client, openedOn: "2026-01-07", amount: 100)
        try await log.win(silent, client: client, stage: "lead", on: "2026-01-09")
        try await log.deal(open, client: client, openedOn: "2026-01-31", amount: 100)
        try await log.objection(
            UUID.numbered(41), deal: open, client: client, raisedOn: "2026-02-01", category: "other")
        // Outside the cohort.
        try await log.append(
            "PipelineDefined", stream: "pipeline-partners", client: nil,
            ["pipeline": "partners", "stages": ["lead", "pilot"], "definedOn": "2026-01-01"])
        try await log.deal(later, client: client, openedOn: "2026-02-01", amount: 100)
        try await log.objection(UUID.numbered(51), deal: later, client: client, raisedOn: "2026-02-02")
        try await log.deal(partner, client: client, openedOn: "2026-01-10", amount: 100, pipeline: "partners")
        try await log.objection(UUID.numbered(52), deal: partner, client: client, raisedOn: "2026-01-11")
        try await log.lose(partner, client: client, stage: "lead", on: "2026-01-12", refusedBy: "us", reason: "no fit")
    }

    /// A category's figures as `category raised resolved unresolved open dealsWon dealsLost`.
    static func figures(_ row: ObjectionReport.Category) -> String {
        "\(row.category.rawValue) \(row.raised) \(row.resolved) \(row.unresolved) \(row.open) \(row.dealsWon) \(row.dealsLost)"
    }

    @Test func countsObjectionsPerCategoryAndDealsPerNumberOfObjections() async throws {
        let log = try await SalesLog.make()
        try await Self.record(log)
        try await log.catchUp(batchSize: 3)
        let (from, to) = Self.january
        let report = try await log.query { try ObjectionReport.query(pipeline: "sales", from: from, to: to, on: $0) }
        #expect(
            report.categories.map(Self.figures) == [
                "price 4 1 2 1 1 1", "no-need 0 0 0 0 0 0", "not-interested 0 0 0 0 0 0", "has-supplier 0 0 0 0 0 0",
                "no-budget 1 0 0 1 1 0", "not-now 0 0 0 0 0 0", "own-resources 0 0 0 0 0 0", "crisis 4 0 0 4 0 1",
                "other 1 0 0 1 0 0",
            ])
        #expect(report.byCount.map(\.objections) == ["0", "1", "2", "3", "4", "5", "6+"])
        #expect(report.byCount.map(\.deals) == [1, 1, 0, 1, 0, 0, 1])
        #expect(report.byCount.map(\.won) == [1, 0, 0, 1, 0, 0, 0])
        #expect(report.byCount.map(\.lost) == [0, 0, 0, 0, 0, 0, 1])
        #expect(report.byCount.map(\.winRate) == [1, nil, nil, 1, nil, nil, 0])

        // A rebuild from scratch matches the live tables and gives the same report.
        try await log.rebuildAllExpectingMatches(batchSize: 4)
        let rebuilt = try await log.query { try ObjectionReport.query(pipeline: "sales", from: from, to: to, on: $0) }
        #expect(rebuilt == report)

        // The other pipeline alone: its one deal, lost after one objection.
        let partners = try await log.query {
            try ObjectionReport.query(pipeline: "partners", from: from, to: to, on: $0)
        }
        #expect(Self.figures(partners.categories[0]) == "price 1 0 0 1 0 1")
        #expect(partners.byCount[1].deals == 1 && partners.byCount[1].lost == 1 && partners.byCount[1].winRate == 0)
    }

    @Test func refusesAnUnknownPipelineAndAReversedRange() async throws {
        let log = try await SalesLog.make()
        let (from, to) = Self.january
        await #expect(throws: ProjectionError.unknownPipeline("nowhere")) {
            try await log.query { try ObjectionReport.query(pipeline: "nowhere", from: from, to: to, on: $0) }
        }
        await #expect(throws: ProjectionError.invalidParameter(field: "from", message: "must not be after to")) {
            try await log.query { try ObjectionReport.query(pipeline: "sales", from: to, to: from, on: $0) }
        }
    }

    /// An existing database: its board was filled by version 2, whose tables have no category and
    /// no `resolved`. The report refuses to read them until the board is rebuilt at the code's
    /// version (the runner does it on start), then answers.
    @Test func waitsForTheBoardOfAnOlderVersionToBeRebuilt() async throws {
        let log = try await SalesLog.make()
        let old = try await log.query { connection in
            let old = try ProjectionRegistry.live(Projection.board.withVersion(2), on: connection)
            try connection.execute("ALTER TABLE \(fragment: old.table(.objections)) DROP COLUMN category")
            try connection.execute("ALTER TABLE \(fragment: old.table(.objectionOutcomes)) DROP COLUMN resolved")
            return old
        }
        try await Self.record(log)
        let (from, to) = Self.january
        await #expect(throws: ProjectionError.readModelOutdated(name: "board", version: 2, needed: 3)) {
            try await log.query { try ObjectionReport.query(pipeline: "sales", from: from, to: to, on: $0) }
        }
        let outcome = try await log.query {
            try ProjectionRebuild(
                projection: .board, personalData: log.database.personalData, logger: TestDatabase.logger
            ).run(on: $0)[0]
        }
        guard case .swapped(let generation, _, false) = outcome else {
            Issue.record("expected a swap at the new version, got \(outcome)")
            return
        }
        #expect(generation > old.generation)
        let report = try await log.query { try ObjectionReport.query(pipeline: "sales", from: from, to: to, on: $0) }
        #expect(Self.figures(report.categories[0]) == "price 4 1 2 1 1 1")
        #expect(report.byCount[6].deals == 1)
    }
}
