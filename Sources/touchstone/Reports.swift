import Access
import ArgumentParser
import Foundation
import JSON
import PQ
import Projections
import Sales

/// The options every report as of a day takes: the point of view and the output form.
struct ReportOptions: ParsableArguments, ReportPrinting {
    @Option(help: "Business date (YYYY-MM-DD) the report is as of (default: today, UTC, or the date of --known-at).")
    var asOf: String?

    @Option(help: "Instant (RFC 3339): count only events recorded at or before it.")
    var knownAt: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// The window, or exit 1 for an invalid date or instant.
    func window() throws -> ReportWindow {
        try reportWindow(asOf: asOf, knownAt: knownAt)
    }
}

/// What every report command does with the database and its answer, whatever options it takes.
protocol ReportPrinting {
    /// Whether to print the report as JSON rather than as a table.
    var json: Bool { get }
}

extension ReportPrinting {
    /// Runs a report query through the read models on a one-connection pool (names and texts are
    /// opened with the clients' data keys; a report that races a rebuild's swap runs again),
    /// mapping refusals to exit 1.
    func query<T: Sendable>(_ body: @escaping @Sendable (Connection, PersonalDataKeys) throws -> T) async throws -> T {
        do {
            return try await DatabaseEnvironment.withReadModels(
                logger: DatabaseEnvironment.logger("touchstone.reports")
            ) {
                try await $0.read(body)
            }
        } catch let error as ProjectionError {
            throw fail(error.description)
        } catch let error as PQError {
            throw fail("database error: \(error.message)")
        }
    }

    /// Prints a JSON document.
    func printJSON(_ document: JSONValue) {
        printJSON(document.serialized())
    }

    /// Prints JSON text already written.
    func printJSON(_ text: Data) {
        print(String(decoding: text, as: UTF8.self))
    }
}

/// Prints rows as aligned columns under a header.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count {
            widths[index] = max(widths[index], cell.count)
        }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }
    print(line(header))
    print(line(widths.map { String(repeating: "-", count: $0) }))
    for row in rows { print(line(row)) }
}

/// `touchstone board [PIPELINE]`: open deals per stage.
struct Board: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a pipeline's board: open deals per stage.")

    @Argument(help: "The pipeline.")
    var pipeline = Pipeline.defaultName

    @OptionGroup var options: ReportOptions

    func run() async throws {
        let (pipeline, window) = (pipeline, try options.window())
        let board = try await options.query {
            try PipelineBoard.query(pipeline: pipeline, window: window, personalData: $1, on: $0)
        }
        if options.json { return options.printJSON(board.serializedJSON()) }
        print("Pipeline \(board.pipeline) as of \(board.asOf)")
        var rows: [[String]] = []
        for stage in board.stages {
            let totals = stage.totals.keys.sorted().map { "\(stage.totals[$0]!) \($0)" }.joined(separator: ", ")
            rows.append([stage.stage, "\(stage.deals.count) deal(s)", totals, "", "", ""])
            for deal in stage.deals {
                rows.append([
                    "", deal.dealId.uuidString.lowercased(), "\(deal.amountMinor) \(deal.currency)",
                    "\(deal.daysInStage)d", "\(deal.openObjections)", deal.lastTouchOn?.description ?? "-",
                ])
            }
        }
        printTable(["stage", "deal", "amount (minor)", "in stage", "objections", "last touch"], rows)
    }
}

/// `touchstone aging`: receivables by days overdue.
struct Aging: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show receivables aging per client and currency.")

    @OptionGroup var sheet: ReceivablesSheetOptions

    @OptionGroup var options: ReportOptions

    func run() async throws {
        let window = try options.window()
        let edges = try sheet.edges()
        if options.json {
            let page = try await options.query {
                try ReceivablesAging.query(window: window, edges: edges, limit: 10_000, personalData: $1, on: $0)
            }
            return options.printJSON(page.json)
        }
        let aging = try await options.query {
            try ReceivablesAging.query(window: window, edges: edges, personalData: $1, on: $0)
        }
        if sheet.csv { return print(aging.csv.text(byteOrderMark: sheet.bom), terminator: "") }
        print("Receivables aging as of \(aging.asOf)")
        let rows = aging.rows.map { row in
            [row.clientId.uuidString.lowercased(), row.name ?? "", row.currency, String(row.amounts.totalMinor)]
                + row.amounts.buckets.map(String.init) + [String(row.amounts.unappliedCreditMinor)]
        }
        let totals = aging.totals.keys.sorted().map { currency in
            let amounts = aging.totals[currency]!
            return ["total", "", currency, String(amounts.totalMinor)] + amounts.buckets.map(String.init)
                + [String(amounts.unappliedCreditMinor)]
        }
        printTable(["client", "name", "cur", "total"] + aging.bucketLabels + ["unapplied"], rows + totals)
    }
}

/// `touchstone retention`: clients to act on.
struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List clients to act on and why.")

    @Option(help: "Rhythm broken when the days since the last purchase exceed this times the median gap.")
    var rhythmFactor: String?

    @Option(help: "A single purchase older than this many days.")
    var singlePurchaseDays: String?

    @Option(help: "Registered longer ago and no touch within this many days.")
    var untouchedDays: String?

    @Option(help: "Keep only clients with this reason (rhythm-broken, single-purchase, untouched); repeatable.")
    var reason: [String] = []

    @OptionGroup var options: ReportOptions

    func run() async throws {
        let window = try options.window()
        let thresholds: RetentionList.Thresholds
        let reasons: Set<RetentionList.Reason>
        do {
            thresholds = try RetentionList.Thresholds(
                rhythmFactor: rhythmFactor, singlePurchaseDays: singlePurchaseDays, untouchedDays: untouchedDays)
            reasons = try RetentionList.Reason.named(reason)
        } catch let error as ProjectionError {
            throw fail(error.description)
        }
        if options.json {
            let page = try await options.query {
                try RetentionList.query(
                    window: window, thresholds: thresholds, reasons: reasons, limit: 10_000, personalData: $1, on: $0)
            }
            return options.printJSON(page.json)
        }
        let list = try await options.query {
            try RetentionList.query(window: window, thresholds: thresholds, reasons: reasons, personalData: $1, on: $0)
        }
        print("Retention as of \(list.asOf)")
        printTable(
            ["client", "name", "reasons", "last purchase", "median gap", "days since", "last touch", "ltv"],
            list.clients.map { client in
                [
                    client.clientId.uuidString.lowercased(), client.name ?? "", client.reasons.joined(separator: ","),
                    client.lastPurchaseOn?.description ?? "-", client.medianIntervalDays.map { "\($0)" } ?? "-",
                    client.daysSinceLastPurchase.map(String.init) ?? "-", client.lastTouchOn?.description ?? "-",
                    client.ltv.keys.sorted().map { "\(client.ltv[$0]!) \($0)" }.joined(separator: ", "),
                ]
            })
    }
}

/// The cohort of deals a report covers: those of a pipeline opened in [--from, --to].
struct CohortOptions: ParsableArguments {
    @Option(help: "The pipeline.")
    var pipeline = Pipeline.defaultName

    @Option(help: "First opening date of the cohort (YYYY-MM-DD).")
    var from: String

    @Option(help: "Last opening date of the cohort (YYYY-MM-DD).")
    var to: String

    /// The opening dates, or exit 1 for one that is not a date.
    func dates() throws -> (from: LocalDate, to: LocalDate) {
        guard let first = LocalDate(from) else { throw fail("--from \(from) is not a date (YYYY-MM-DD)") }
        guard let last = LocalDate(to) else { throw fail("--to \(to) is not a date (YYYY-MM-DD)") }
        return (first, last)
    }
}

/// `touchstone funnel --from --to`: a cohort's conversion from stage to stage.
struct FunnelReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "funnel", abstract: "Show the funnel of the deals opened in [--from, --to].")

    @OptionGroup var cohort: CohortOptions

    @OptionGroup var options: ReportOptions

    func run() async throws {
        let window = try options.window()
        let (first, last) = try cohort.dates()
        let pipeline = cohort.pipeline
        let funnel = try await options.query {
            try Funnel.query(pipeline: pipeline, from: first, to: last, window: window, personalData: $1, on: $0)
        }
        if options.json { return options.printJSON(funnel.json) }
        print(
            "Funnel of \(funnel.pipeline), \(funnel.deals) deal(s) opened \(funnel.from)…\(funnel.to), as of \(funnel.asOf)"
        )
        printTable(
            ["stage", "entered", "moved on", "won", "lost (client/us)", "to next", "to won", "median days"],
            funnel.stages.map { stage in
                [
                    stage.stage, "\(stage.entered)", "\(stage.movedOn)", "\(stage.won)",
                    "\(stage.lostByClient)/\(stage.lostByUs)",
                    stage.conversionToNext.map { String(format: "%.4f", $0) } ?? "-",
                    stage.conversionToWon.map { String(format: "%.4f", $0) } ?? "-",
                    stage.medianDaysInStage.map { "\($0)" } ?? "-",
                ]
            })
        print(
            "Mean objections: won \(funnel.meanObjectionsWon.map { String(format: "%.4f", $0) } ?? "-"), "
                + "lost \(funnel.meanObjectionsLost.map { String(format: "%.4f", $0) } ?? "-")")
    }
}

/// `touchstone objections --from --to`: the objections raised in a cohort's deals, per category
/// and per number of objections in a deal.
struct ObjectionsReport: AsyncParsableCommand, ReportPrinting {
    static let configuration = CommandConfiguration(
        commandName: "objections",
        abstract: "Show the objections raised in the deals opened in [--from, --to] and how those deals closed.",
        discussion: "Every objection, outcome, win and loss recorded so far counts (the report takes no --as-of).")

    @OptionGroup var cohort: CohortOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let (first, last) = try cohort.dates()
        let pipeline = cohort.pipeline
        let report = try await query { connection, _ in
            try ObjectionReport.query(pipeline: pipeline, from: first, to: last, on: connection)
        }
        if json { return printJSON(report.json) }
        let deals = report.byCount.reduce(0) { $0 + $1.deals }
        print("Objections in \(report.pipeline), \(deals) deal(s) opened \(report.from)…\(report.to)")
        printTable(
            ["category", "raised", "resolved", "unresolved", "open", "deals won", "deals lost"],
            report.categories.map { row in
                [
                    row.category.rawValue, "\(row.raised)", "\(row.resolved)", "\(row.unresolved)", "\(row.open)",
                    "\(row.dealsWon)", "\(row.dealsLost)",
                ]
            })
        print("")
        printTable(
            ["objections", "deals", "won", "lost", "win rate"],
            report.byCount.map { row in
                [
                    row.objections, "\(row.deals)", "\(row.won)", "\(row.lost)",
                    row.winRate.map { String(format: "%.4f", $0) } ?? "-",
                ]
            })
    }
}
