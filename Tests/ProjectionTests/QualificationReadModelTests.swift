import Foundation
import JSON
import PQ
import Projections
import Sales
import TestSupport
import Testing

/// `qualified` on the board and the funnel's `byQualification`, as of any day and as known at any
/// instant, from the board read model's assessments; and live batches equal a rebuild.
@Suite("Lead qualification in the read models")
struct QualificationReadModelTests {
    let client = UUID.numbered(1)
    let reassessed = UUID.numbered(31)
    let sameDay = UUID.numbered(32)
    let won = UUID.numbered(33)
    let lost = UUID.numbered(34)
    let open = UUID.numbered(35)

    func board(_ log: SalesLog, _ window: ReportWindow) async throws -> [UUID: Bool] {
        let board = try await log.query {
            try PipelineBoard.query(pipeline: "sales", window: window, personalData: log.personalData, on: $0)
        }
        return Dictionary(uniqueKeysWithValues: board.stages.flatMap(\.deals).map { ($0.dealId, $0.qualified) })
    }

    func funnel(_ log: SalesLog, to: String, _ window: ReportWindow) async throws -> Funnel {
        try await log.query {
            try Funnel.query(
                pipeline: "sales", from: LocalDate("2026-01-01")!, to: LocalDate(to)!, window: window,
                personalData: log.personalData, on: $0)
        }
    }

    @Test func theLatestAssessmentOnOrBeforeTheDayDecidesAsOfAnyDayAndAsKnownAtAnyInstant() async throws {
        let log = try await SalesLog.make()
        try await log.client(client, name: "Acme", registeredOn: "2026-01-01")
        for deal in [reassessed, sameDay, won, lost, open] {
            try await log.deal(deal, client: client, openedOn: "2026-01-02", amount: 100)
        }
        // Reassessed: nothing known on the 5th, all three on the 10th, the budget unknown again on the 15th.
        try await log.qualify(reassessed, client: client, on: "2026-01-05", decisionBy: false, budget: false)
        try await log.qualify(reassessed, client: client, on: "2026-01-10")
        let beforeRecorded = try await log.now()
        try await log.qualify(reassessed, client: client, on: "2026-01-15", budget: false)
        // Two assessments of one day: the one recorded last counts; a back-dated one counts as of its date.
        try await log.qualify(sameDay, client: client, on: "2026-01-07")
        try await log.qualify(sameDay, client: client, on: "2026-01-07", problem: false)
        try await log.qualify(sameDay, client: client, on: "2026-01-04")
        // Won while qualified; lost after the qualification was withdrawn; open, qualified on the 20th.
        try await log.qualify(won, client: client, on: "2026-01-03")
        try await log.win(won, client: client, stage: "lead", on: "2026-01-12")
        try await log.qualify(lost, client: client, on: "2026-01-03")
        try await log.qualify(lost, client: client, on: "2026-01-06", budget: false)
        try await log.lose(lost, client: client, stage: "lead", on: "2026-01-08", refusedBy: "client", reason: "no")
        try await log.qualify(open, client: client, on: "2026-01-20")
        try await log.catchUp(batchSize: 3)

        let expectations: [(String, [UUID: Bool])] = [
            ("2026-01-02", [reassessed: false, sameDay: false, won: false, lost: false, open: false]),
            ("2026-01-04", [reassessed: false, sameDay: true, won: true, lost: true, open: false]),
            ("2026-01-06", [reassessed: false, sameDay: true, won: true, lost: false, open: false]),
            ("2026-01-07", [reassessed: false, sameDay: false, won: true, lost: false, open: false]),
            ("2026-01-10", [reassessed: true, sameDay: false, won: true, open: false]),
            ("2026-01-14", [reassessed: true, sameDay: false, open: false]),
            ("2026-01-15", [reassessed: false, sameDay: false, open: false]),
            ("2026-01-20", [reassessed: false, sameDay: false, open: true]),
            ("2026-12-31", [reassessed: false, sameDay: false, open: true]),
        ]
        for (day, expected) in expectations {
            #expect(try await board(log, .day(day)) == expected, "as of \(day)")
        }
        // As known before the withdrawal was recorded, the 15th still shows the assessment of the 10th.
        #expect(try await board(log, .day("2026-01-15", knownAt: beforeRecorded))[reassessed] == true)
        #expect(try await board(log, .day("2026-01-15"))[reassessed] == false)

        // The funnel: each deal by its state on its close date, or on `to` (or asOf, if earlier) while open.
        let all = try await funnel(log, to: "2026-01-31", .day("2026-12-31"))
        #expect(all.qualified == Funnel.Outcomes(entered: 2, won: 1, lost: 0), "won, and open on the 31st")
        #expect(all.unqualified == Funnel.Outcomes(entered: 3, won: 0, lost: 1), "reassessed, sameDay, lost")
        let early = try await funnel(log, to: "2026-01-31", .day("2026-01-10"))
        #expect(early.qualified == Funnel.Outcomes(entered: 2, won: 0, lost: 0), "reassessed and won, open on the 10th")
        #expect(early.unqualified == Funnel.Outcomes(entered: 3, won: 0, lost: 1))
        let known = try await funnel(log, to: "2026-01-31", .day("2026-01-31", knownAt: beforeRecorded))
        #expect(
            known.qualified == Funnel.Outcomes(entered: 1, won: 0, lost: 0),
            "only reassessed's assessments were known then")
        #expect(known.unqualified == Funnel.Outcomes(entered: 4, won: 0, lost: 0), "no close was recorded yet")
        let shortCohort = try await funnel(log, to: "2026-01-18", .day("2026-12-31"))
        #expect(
            shortCohort.qualified == Funnel.Outcomes(entered: 1, won: 1, lost: 0), "open was not qualified on the 18th")
        #expect(shortCohort.unqualified.entered == 4)

        try await log.rebuildAllExpectingMatches(batchSize: 4)
        #expect(try await board(log, .day("2026-01-10")) == [reassessed: true, sameDay: false, won: true, open: false])
    }

    @Test func aBoardOlderThanTheAssessmentsAnswersOutdatedUntilRebuilt() async throws {
        let log = try await SalesLog.make()
        try await log.client(client, name: "Acme", registeredOn: "2026-01-01")
        try await log.deal(open, client: client, openedOn: "2026-01-02", amount: 100)
        try await log.query { connection in
            while try ProjectionRegistry.applyNextBatch(
                Projection.board.withVersion(3), batchSize: 10, personalData: log.personalData, on: connection) > 0
            {}
        }
        let outdated = ProjectionError.readModelOutdated(name: "board", version: 3, needed: 5)
        await #expect(throws: outdated) { _ = try await board(log, .day("2026-01-10")) }
        await #expect(throws: outdated) { _ = try await funnel(log, to: "2026-01-31", .day("2026-01-31")) }
        let outcome = try await log.query {
            try ProjectionRebuild(projection: .board, personalData: log.personalData, logger: TestDatabase.logger).run(
                on: $0)[0]
        }
        guard case .swapped(_, _, let matched) = outcome else {
            Issue.record("not swapped: \(outcome)")
            return
        }
        #expect(!matched, "swapped for the version that went up")
        #expect(try await board(log, .day("2026-01-10")) == [open: false])
    }
}
