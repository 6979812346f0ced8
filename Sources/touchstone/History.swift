import ArgumentParser
import EventStore
import Foundation
import JSON
import PQ
import Projections
import Sales

/// `touchstone history <clientId>`: every event of a client in log order, as
/// of a business date and as known at an instant, and the state they add up to.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a client's history and derived state.")

    @Argument(help: "The client's id.")
    var clientId: String

    @Option(
        help:
            "Business date (YYYY-MM-DD): leave out events dated after it (default: today, UTC, or the date of --known-at)."
    )
    var asOf: String?

    @Option(help: "Instant (RFC 3339): count only events recorded at or before it.")
    var knownAt: String?

    @Flag(help: "Print {\"clientId\", \"events\", \"state\"} as JSON.")
    var json = false

    /// One event that counts, decoded.
    struct Entry {
        var recorded: RecordedEvent
        var event: SalesEvent
        /// The payload with personal values opened (`null` where erased).
        var data: JSONValue
        var erasedFields: [String]
        var actor: String?
    }

    func run() async throws {
        guard let client = UUID(uuidString: clientId) else { throw fail("\(clientId) is not a client id (a UUID)") }
        let window = try reportWindow(asOf: asOf, knownAt: knownAt)

        let pool = ConnectionPool(
            conninfo: try DatabaseEnvironment.runtimeURL(), size: 1,
            logger: DatabaseEnvironment.logger("touchstone.history"))
        defer { pool.close() }
        let store = EventStore(pool: pool, logger: DatabaseEnvironment.logger("touchstone.history"))
        let personalData = try await DatabaseEnvironment.personalData(on: pool)
        let history: ClientHistory
        do {
            history = try await ClientHistory.read(
                client, window: window, from: store, personalData: personalData)
        } catch let error as PQError {
            throw fail("database error: \(error.message)")
        } catch let error as ClientHistory.UnreadableEvent {
            throw fail(error.description)
        }
        guard history.eventsStored > 0 else { throw fail("no client \(client.uuidString.lowercased())") }
        let entries = history.entries.map { entry in
            let metadata = try? JSONValue(parsing: Data(entry.recorded.metadata.utf8))
            return Entry(
                recorded: entry.recorded, event: entry.event, data: entry.opened.data,
                erasedFields: entry.opened.erasedFields, actor: metadata?.objectValue?["actor"]?.stringValue)
        }
        let state = history.state

        if json {
            print(
                String(
                    decoding: Self.document(client: client, entries: entries, state: state).serialized(), as: UTF8.self)
            )
        } else {
            print(Self.report(client: client, window: window, entries: entries, state: state), terminator: "")
        }
    }

    /// `{"clientId", "events": [...], "state": {...}}`, each event with the global feed's fields.
    static func document(client: UUID, entries: [Entry], state: ClientHistoryState) -> JSONValue {
        .object([
            "clientId": .string(client.uuidString.lowercased()),
            "events": .array(
                entries.map { entry in
                    let event = entry.recorded
                    return .object(omittingNil: [
                        "position": .integer(event.position),
                        "eventId": .string(event.eventID),
                        "streamId": .string(event.streamID),
                        "streamVersion": .integer(event.streamVersion),
                        "type": .string(event.type),
                        "schemaVersion": .integer(event.schemaVersion),
                        "occurredAt": .string(event.occurredAt),
                        "recordedAt": .string(event.recordedAt),
                        "actor": entry.actor.map(JSONValue.string) ?? .null,
                        "data": entry.data,
                        "erasedFields": entry.erasedFields.isEmpty
                            ? nil : .array(entry.erasedFields.map(JSONValue.string)),
                        "metadata": (try? JSONValue(parsing: Data(event.metadata.utf8))) ?? .null,
                    ])
                }),
            "state": state.summary.json,
        ])
    }

    /// The readable form: a table of events, then the derived state.
    static func report(
        client: UUID, window: ReportWindow, entries: [Entry], state: ClientHistoryState
    ) -> String {
        var output = "Client \(client.uuidString.lowercased()) as of \(window.asOf)"
        output += window.knownAt.map { ", as known at \($0)\n\n" } ?? "\n\n"
        var deals = [UUID: String]()
        var invoices = [UUID: String]()
        var rows = [[String]]()
        for entry in entries {
            let (sentence, amount) = narrate(entry.event, deals: &deals, invoices: &invoices)
            rows.append(["\(entry.event.businessDate)", sentence, entry.actor ?? "-", amount ?? ""])
        }
        output +=
            rows.isEmpty ? "No events.\n" : textTable(header: ["DATE", "WHAT HAPPENED", "WHO", "AMOUNT"], rows: rows)
        output += "\nState\n"
        let summary = state.summary
        var facts: [(String, String)] = [
            ("Name", summary.name ?? "-"),
            ("Kind", summary.kind?.rawValue ?? "-"),
            ("Registered", summary.registeredOn.map { "\($0)" } ?? "-"),
            ("Deals won / lost", "\(summary.wonDeals) / \(summary.lostDeals)"),
            ("Balance owed", totals(summary.balanceOwed)),
            ("Unapplied credit", totals(summary.unappliedCredit)),
            ("Last touch", summary.lastTouchAt.map { "\($0)" } ?? "-"),
            (
                "Orders",
                "\(summary.orderCount) on \(summary.purchaseDays) day\(summary.purchaseDays == 1 ? "" : "s")"
                    + (summary.firstPurchaseOn.map { ", first \($0)" } ?? "")
                    + (summary.lastPurchaseOn.map { ", last \($0)" } ?? "")
            ),
            ("Lifetime value", totals(summary.ltv)),
        ]
        facts.append(("Open deals", summary.openDeals.isEmpty ? "none" : "\(summary.openDeals.count)"))
        for deal in summary.openDeals {
            facts.append(
                (
                    "  " + (deal.title ?? deal.dealId.uuidString.lowercased()),
                    "\(deal.stage) since \(deal.stageEnteredOn) (\(deal.pipeline)), "
                        + Money(amountMinor: deal.amountMinor, currency: deal.currency).description
                ))
        }
        let width = facts.map(\.0.count).max() ?? 0
        for (label, value) in facts {
            output +=
                "  " + (label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + " " + value + "\n"
        }
        return output
    }

    /// A short sentence for `event` and the amount it moved, if any; remembers
    /// deal titles and invoice numbers to name them in later events.
    static func narrate(
        _ event: SalesEvent, deals: inout [UUID: String], invoices: inout [UUID: String]
    ) -> (String, String?) {
        func money(_ minor: Int64, _ currency: Currency) -> String {
            Money(amountMinor: minor, currency: currency).description
        }
        func deal(_ id: UUID) -> String { deals[id].map { "Deal \"\($0)\"" } ?? "Deal" }
        func invoice(_ id: UUID) -> String { invoices[id].map { "Invoice \($0)" } ?? "Invoice" }
        /// A required text, or `(erased)` once the client's personal data is erased.
        func text(_ value: String) -> String { value.isEmpty ? "(erased)" : value }
        switch event {
        case .clientRegistered(let e):
            return ("Client \(text(e.name)) registered (\(e.kind.rawValue))", nil)
        case .touchRecorded(let e):
            let what = "\(e.direction.rawValue.capitalized) \(e.channel.rawValue) at \(e.occurredAt)"
            return (what + (e.summary.map { ": \($0)" } ?? ""), nil)
        case .orderPlaced(let e):
            return ("Order placed", money(e.amountMinor, e.currency))
        case .dealOpened(let e):
            deals[e.dealId] = e.title.isEmpty ? nil : e.title
            return ("\(deal(e.dealId)) opened in \(e.pipeline) at \(e.stage)", money(e.amountMinor, e.currency))
        case .dealStageMoved(let e):
            return ("\(deal(e.dealId)) moved from \(e.from) to \(e.stage)", nil)
        case .offerMade(let e):
            return (
                "Offer made on \(deal(e.dealId))" + (e.validUntil.map { ", valid until \($0)" } ?? ""),
                money(e.amountMinor, e.currency)
            )
        case .objectionRaised(let e):
            return (
                "Objection raised on \(deal(e.dealId)): \(e.category.rawValue)" + (e.text.map { " (\($0))" } ?? ""), nil
            )
        case .objectionHandled(let e):
            return ("Objection on \(deal(e.dealId)) handled, \(e.resolved ? "resolved" : "not resolved")", nil)
        case .concessionAgreed(let e):
            return ("Concession on \(deal(e.dealId)): gave \(text(e.given)) in return for \(text(e.inReturn))", nil)
        case .dealWon(let e):
            return ("\(deal(e.dealId)) won at \(e.stage)", nil)
        case .dealLost(let e):
            return ("\(deal(e.dealId)) lost at \(e.stage), refused by \(e.refusedBy.rawValue): \(text(e.reason))", nil)
        case .dealQualified(let e):
            let known = [e.problem.map { "problem \(text($0))" }, e.decisionBy.map { "decides by \($0)" }].compactMap {
                $0
            }
            return (
                "\(deal(e.dealId)) assessed" + (known.isEmpty ? "" : ": " + known.joined(separator: ", ")),
                e.budgetMinor.flatMap { amount in e.currency.map { money(amount, $0) } }
            )
        case .invoiceIssued(let e):
            invoices[e.invoiceId] = e.number
            return ("Invoice \(e.number) issued, due \(e.dueOn)", money(e.amountMinor, e.currency))
        case .paymentReceived(let e):
            let applied = e.allocations.map {
                "\(invoices[$0.invoiceId] ?? $0.invoiceId.uuidString.lowercased()) \(money($0.amountMinor, e.currency))"
            }
            var sentence = "Payment received"
            if !applied.isEmpty { sentence += ", applied to " + applied.joined(separator: ", ") }
            if e.unappliedMinor > 0 { sentence += "; \(money(e.unappliedMinor, e.currency)) unapplied" }
            return (sentence, money(e.amountMinor, e.currency))
        case .creditNoteIssued(let e):
            return ("Credit note on \(invoice(e.invoiceId)): \(text(e.reason))", money(e.amountMinor, e.currency))
        case .invoiceWrittenOff(let e):
            return ("\(invoice(e.invoiceId)) written off: \(text(e.reason))", money(e.amountMinor, e.currency))
        case .paymentPromised(let e):
            let note = e.note.map { ": \($0)" } ?? ""
            return (
                "Promise to pay \(invoice(e.invoiceId)) by \(e.promisedOn), made \(e.madeOn)\(note)",
                money(e.amountMinor, e.currency)
            )
        case .paymentReminderSent(let e):
            let note = e.note.map { ": \($0)" } ?? ""
            return ("Reminder \(e.level.rawValue) of \(invoice(e.invoiceId)) sent by \(e.channel.rawValue)\(note)", nil)
        case .pipelineDefined(let e):
            return ("Pipeline \(e.pipeline) defined: \(e.stages.joined(separator: ", "))", nil)
        case .clientPersonalDataErased(let e):
            return ("Personal data erased at \(e.erasedAt) (\(e.events) events)", nil)
        }
    }

    /// `1500.00 RUB, 20.00 EUR`, or `-` for none.
    static func totals(_ sums: [CurrencyTotal]) -> String {
        guard !sums.isEmpty else { return "-" }
        return sums.map { total in
            Int64(exactly: total.amountMinor).map { Money(amountMinor: $0, currency: total.currency).description }
                ?? "\(total.amountMinor) minor units of \(total.currency.code)"
        }.joined(separator: ", ")
    }
}
