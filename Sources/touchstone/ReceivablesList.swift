import ArgumentParser
import Foundation
import Projections
import Sales

/// `touchstone receivables`: the per-invoice receivables list, with promise states and reminders.
struct ReceivablesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receivables",
        abstract: "List the open invoices with their days overdue, promises to pay and reminders.")

    @Option(help: "Only the invoices of this client (a UUID).")
    var client: String?

    @Flag(help: "Only the invoices overdue as of the day.")
    var overdueOnly = false

    @Option(help: "Only the invoices whose latest promise is broken, open or kept, or that have none.")
    var promise: String?

    @OptionGroup var sheet: ReceivablesSheetOptions

    @OptionGroup var options: ReportOptions

    func run() async throws {
        let window = try options.window()
        let edges = try sheet.edges()
        let filter: ReceivablesByInvoice.PromiseFilter?
        do {
            filter = try ReceivablesByInvoice.PromiseFilter.named(promise)
        } catch let error as ProjectionError {
            throw fail(error.description)
        }
        let clientId = try client.map { text in
            guard let id = UUID(uuidString: text) else { throw fail("--client \(text) is not a UUID") }
            return id
        }
        let (overdueOnly, promise) = (overdueOnly, filter)
        let list = try await options.query {
            try ReceivablesByInvoice.query(
                window: window, edges: edges, clientId: clientId, overdueOnly: overdueOnly, promise: promise,
                personalData: $1, on: $0)
        }
        if options.json { return options.printJSON(list.json) }
        if sheet.csv { return print(list.csv.text(byteOrderMark: sheet.bom), terminator: "") }
        print("Open invoices as of \(list.asOf)")
        let rows = list.rows.map { row in
            [
                row.number, row.name ?? "", row.currency, String(row.openMinor), String(row.amountMinor),
                row.dueOn.description,
                String(row.daysOverdue), row.bucket,
                row.promise.map { "\($0.state.rawValue) \($0.amountMinor) by \($0.promisedOn)" } ?? "-",
                String(row.reminders), row.lastReminder.map { "\($0.sentOn) level \($0.level)" } ?? "-",
            ]
        }
        printTable(
            [
                "number", "client", "cur", "open", "amount", "due", "days", "bucket", "promise", "reminders",
                "last reminder",
            ], rows)
    }
}
