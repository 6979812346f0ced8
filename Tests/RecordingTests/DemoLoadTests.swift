import Demo
import Foundation
import HexText
import JSON
import PQ
import Projections
import Recording
import Sales
import TestSupport
import Testing

@Suite("Demo data")
struct DemoLoadTests {
    @Test func theDemoLoadsWithoutRejections() async throws {
        let database = try await TestDatabase.make()
        let importer = CommandImport(
            recorder: CommandRecorder(
                store: database.store, personalData: database.personalData, logger: TestDatabase.logger),
            actor: "cli:test")
        let lines = DemoScript(today: LocalDate(year: 2026, month: 3, day: 1)!).lines()
        #expect(lines.count > 200)
        let summary = try await importer.load(lines)
        #expect(summary.rejections == [])
        #expect(summary.loaded == lines.count)
        let again = try await importer.load(Array(lines.prefix(3)))
        #expect(again.rejections.count == 3)

        // One deal meets six objections and is won: the objections report shows a row for 6+.
        let report = try await database.pool.withConnection { connection in
            while try ProjectionRegistry.applyNextBatch(
                .board, batchSize: 5_000, personalData: database.personalData, on: connection) > 0
            {}
            return try ObjectionReport.query(
                pipeline: "sales", from: LocalDate(year: 2025, month: 1, day: 1)!,
                to: LocalDate(year: 2026, month: 3, day: 1)!,
                on: connection)
        }
        #expect(report.byCount.last?.objections == "6+")
        #expect(report.byCount.last?.deals == 1 && report.byCount.last?.won == 1, "\(report.byCount)")

        // Collections work: the per-invoice list shows promises kept, broken and open, and
        // reminders of every level, on the days of the story.
        let (states, levels) = try await database.pool.withConnection { connection in
            while try ProjectionRegistry.applyNextBatch(
                .aging, batchSize: 5_000, personalData: database.personalData, on: connection) > 0
            {}
            var states = Set<String>()
            var levels = Set<Int>()
            for back in stride(from: 0, through: 240, by: 3) {
                let list = try ReceivablesByInvoice.query(
                    window: ReportWindow(asOf: LocalDate(year: 2026, month: 3, day: 1)!.adding(days: -back)!),
                    personalData: database.personalData, on: connection)
                states.formUnion(list.rows.compactMap { $0.promise?.state.rawValue })
                levels.formUnion(list.rows.compactMap { $0.lastReminder?.level })
            }
            return (states, levels)
        }
        #expect(states == ["kept", "broken", "open"])
        #expect(levels == [1, 2, 3])
        // Leads assessed by problem, time and money: qualified and unqualified deals, won and lost
        // among the qualified ones, and open qualified deals on the board.
        let (funnel, board) = try await database.pool.withConnection { connection in
            (
                try Funnel.query(
                    pipeline: "sales", from: LocalDate(year: 2025, month: 1, day: 1)!,
                    to: LocalDate(year: 2026, month: 3, day: 1)!,
                    window: ReportWindow(asOf: LocalDate(year: 2026, month: 3, day: 1)!),
                    personalData: database.personalData, on: connection),
                try PipelineBoard.query(
                    pipeline: "sales", window: ReportWindow(asOf: LocalDate(year: 2026, month: 3, day: 1)!),
                    personalData: database.personalData, on: connection)
            )
        }
        #expect(
            funnel.qualified.entered > 0 && funnel.unqualified.entered > 0, "\(funnel.qualified) \(funnel.unqualified)")
        #expect(funnel.qualified.won > 0 && funnel.qualified.lost > 0 && funnel.unqualified.lost > 0)
        let deals = board.stages.flatMap(\.deals)
        #expect(deals.contains { $0.qualified } && deals.contains { !$0.qualified })
    }

    @Test func importLinesAreNumberedAndValidated() async throws {
        let database = try await TestDatabase.make()
        let importer = CommandImport(
            recorder: CommandRecorder(
                store: database.store, personalData: database.personalData, logger: TestDatabase.logger),
            actor: "cli:test")
        let clientId = UUID().canonical
        let text = """
            {"command":"register-client","clientId":"\(clientId)","name":"Acme","kind":"company"}
            {"command":"record-touch","clientId":"\(clientId)","channel":"fax","direction":"inbound","occurredAt":"2026-01-01T00:00:00Z"}
            not json

            {"command":"place-order","clientId":"\(clientId)","placedOn":"2026-01-02","amountMinor":100,"currency":"EUR"}
            {"command":"fly"}
            """
        let summary = try await importer.load(text.split(separator: "\n", omittingEmptySubsequences: false))
        #expect(summary.loaded == 2)
        #expect(summary.rejections.map(\.line) == [2, 3, 6])
    }
}
