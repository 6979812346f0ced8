import Foundation
import JSON
import PQ
import Projections
import Sales
import Testing

@Suite("Receivables per invoice")
struct ReceivablesByInvoiceTests {
    /// A story on one client: promises kept (by a payment inside its days), broken (paid after its
    /// day) and open; reminders of every level; the filters, the buckets, the CSV and the cursor.
    @Test func promiseStatesRemindersFiltersAndCSV() async throws {
        let log = try await SalesLog.make()
        let client = UUID.numbered(1)
        let (a, b, c, d) = (UUID.numbered(11), UUID.numbered(12), UUID.numbered(13), UUID.numbered(14))
        try await log.client(client, name: "=Acme, \"Ltd\"", registeredOn: "2026-01-01")
        try await log.invoice(a, client: client, issuedOn: "2026-01-01", dueOn: "2026-01-31", amount: 10_000)
        try await log.invoice(b, client: client, issuedOn: "2026-01-05", dueOn: "2026-02-04", amount: 5_000)
        try await log.invoice(
            c, client: client, issuedOn: "2026-02-01", dueOn: "2026-03-31", amount: 2_000, currency: "EUR")
        try await log.invoice(d, client: client, issuedOn: "2026-01-01", dueOn: "2026-01-31", amount: 1_000)
        // a: promised 4 000 by 02-20, 4 000 paid on 02-20 (the last day counts): kept.
        try await log.promise(invoice: a, client: client, madeOn: "2026-02-10", promisedOn: "2026-02-20", amount: 4_000)
        try await log.payment(client: client, receivedOn: "2026-02-20", amount: 4_000, allocations: [(a, 4_000)])
        // b: an earlier promise, then the latest (by madeOn) of 2 000 by 02-15, paid 02-16: broken after 02-15.
        try await log.promise(invoice: b, client: client, madeOn: "2026-02-12", promisedOn: "2026-02-15", amount: 2_000)
        try await log.promise(invoice: b, client: client, madeOn: "2026-02-01", promisedOn: "2026-02-28", amount: 100)
        try await log.payment(client: client, receivedOn: "2026-02-16", amount: 2_000, allocations: [(b, 2_000)])
        try await log.reminder(invoice: b, client: client, sentOn: "2026-02-10", level: 1)
        try await log.reminder(invoice: b, client: client, sentOn: "2026-02-14", level: 3, channel: "letter")
        try await log.reminder(invoice: b, client: client, sentOn: "2026-02-12", level: 2)
        // d: paid in full: no row.
        try await log.payment(client: client, receivedOn: "2026-02-01", amount: 1_000, allocations: [(d, 1_000)])
        try await log.catchUp()

        func list(
            _ asOf: String, overdueOnly: Bool = false, promise: ReceivablesByInvoice.PromiseFilter? = nil,
            limit: Int? = nil,
            cursor: String? = nil
        ) async throws -> ReceivablesByInvoice {
            try await log.query {
                try ReceivablesByInvoice.query(
                    window: ReportWindow.day(asOf), overdueOnly: overdueOnly, promise: promise, limit: limit,
                    cursor: cursor,
                    personalData: log.personalData, on: $0)
            }
        }
        let march = try await list("2026-03-01")
        #expect(march.rows.map(\.invoiceId) == [a, b, c])
        #expect(march.rows.map(\.openMinor) == [6_000, 3_000, 2_000])
        #expect(march.rows.map(\.daysOverdue) == [29, 25, 0])
        #expect(march.rows.map(\.bucket) == ["1-30", "1-30", "current"])
        #expect(march.rows[0].promise?.state == .kept)
        #expect(
            march.rows[1].promise
                == .init(
                    madeOn: LocalDate("2026-02-12")!, promisedOn: LocalDate("2026-02-15")!, amountMinor: 2_000,
                    state: .broken))
        #expect(
            march.rows[1].reminders == 3
                && march.rows[1].lastReminder == .init(sentOn: LocalDate("2026-02-14")!, level: 3))
        #expect(march.rows[2].promise == nil && march.rows[2].reminders == 0 && march.rows[2].lastReminder == nil)
        #expect(march.rows[0].name == "=Acme, \"Ltd\"")

        // As of the promised day itself, before the payment: open; the day after: broken.
        #expect(try await list("2026-02-15").rows.first { $0.invoiceId == b }?.promise?.state == .open)
        #expect(try await list("2026-02-13").rows.first { $0.invoiceId == b }?.lastReminder?.level == 2)
        #expect(try await list("2026-02-19").rows.first { $0.invoiceId == a }?.promise?.state == .open)

        #expect(try await list("2026-03-01", overdueOnly: true).rows.map(\.invoiceId) == [a, b])
        #expect(try await list("2026-03-01", promise: .broken).rows.map(\.invoiceId) == [b])
        #expect(try await list("2026-03-01", promise: .kept).rows.map(\.invoiceId) == [a])
        #expect(try await list("2026-03-01", promise: .withoutPromise).rows.map(\.invoiceId) == [c])
        #expect(try await list("2026-03-01", promise: .open).rows.isEmpty)
        #expect(try ReceivablesByInvoice.PromiseFilter.named("none") == .withoutPromise)

        let first = try await list("2026-03-01", limit: 2)
        #expect(first.rows.map(\.invoiceId) == [a, b])
        let second = try await list("2026-03-01", limit: 2, cursor: first.next)
        #expect(second.rows.map(\.invoiceId) == [c] && second.next == nil)
        await #expect(throws: ProjectionError.self) { try await list("2026-03-01", limit: 2, cursor: "bm9wZQ") }
        #expect(throws: ProjectionError.self) { try ReceivablesByInvoice.PromiseFilter.named("kept,broken") }

        let csv = march.csv.text()
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0] == ReceivablesByInvoice.csvHeader.joined(separator: ","))
        #expect(
            lines[1]
                == "\(a.lower),INV-\(a.lower.prefix(8)),\(client.lower),\"'=Acme, \"\"Ltd\"\"\",RUB,2026-01-01,2026-01-31,"
                + "10000,6000,29,1-30,2026-02-10,2026-02-20,4000,kept,0,,")
        #expect(lines[3].hasSuffix(",2000,0,current,,,,,0,,"))
    }

    /// An aging read model filled by version 3 (no promises, no reminders) answers 503 until the
    /// runner's rebuild at version 4 swaps in.
    @Test func anAgingOfAnOlderVersionIsOutdatedForTheList() async throws {
        let log = try await SalesLog.make()
        try await log.catchUp()
        let refused = try await log.query { connection -> ProjectionError? in
            try connection.execute("UPDATE readmodels.projection_state SET version = 3 WHERE name = 'aging'")
            do {
                _ = try ReceivablesByInvoice.query(
                    window: ReportWindow.day("2026-03-01"), personalData: log.personalData, on: connection)
                return nil
            } catch let error as ProjectionError {
                return error
            }
        }
        #expect(refused == .readModelOutdated(name: "aging", version: 3, needed: 4))
    }

    /// On a random log of invoices, payments, credit notes, write-offs, promises and reminders
    /// (recorded in any order of their dates), for many `asOf` and `knownAt`: every row equals an
    /// independent computation of the contract from the events as stored, in order and through
    /// pages; the sum of `openMinor` per client and currency equals the aging row's `totalMinor`;
    /// and a rebuild equals the live read model.
    @Test func randomLogAgreesWithTheContractAndWithAging() async throws {
        let log = try await SalesLog.make()
        var random = SplitMix64(state: 20_261_206)
        var clients: [UUID] = []
        var invoices: [(id: UUID, client: UUID, issued: Int, currency: String)] = []
        var remaining: [UUID: Int64] = [:]
        var number = 0
        for step in 0..<900 {
            switch clients.count < 3 ? 0 : Int.random(in: 0..<10, using: &random) {
            case 0 where clients.count < 8:
                let client = UUID()
                clients.append(client)
                try await log.client(client, name: "Клиент \(clients.count)", registeredOn: LocalDateText.day(0))
            case 1, 2:
                let client = clients.randomElement(using: &random)!
                let issued = Int.random(in: 0..<100, using: &random)
                let invoice = UUID()
                let amount = Int64.random(in: 1...50_000, using: &random)
                let currency = Bool.random(using: &random) ? "RUB" : "EUR"
                number += 1
                // Numbers in code-point order: capitals before small letters, Latin before Cyrillic;
                // due dates often shared.
                let prefix = ["A", "a", "Б", "Z"].randomElement(using: &random)!
                try await log.append(
                    "InvoiceIssued", stream: "receivables-\(client.lower)", client: client,
                    [
                        "invoiceId": invoice.lower, "clientId": client.lower,
                        "number": "\(prefix)-\(number % 17)-\(number)",
                        "issuedOn": LocalDateText.day(issued),
                        "dueOn": LocalDateText.day(issued + 5 * Int.random(in: 0...6, using: &random)),
                        "amountMinor": amount, "currency": currency,
                    ])
                invoices.append((invoice, client, issued, currency))
                remaining[invoice] = amount
            case 3, 4:
                guard let invoice = invoices.randomElement(using: &random) else { continue }
                let open = remaining[invoice.id] ?? 0
                guard open > 0 else { continue }
                let paid = Bool.random(using: &random) ? open : Int64.random(in: 1...open, using: &random)
                remaining[invoice.id] = open - paid
                try await log.payment(
                    client: invoice.client,
                    receivedOn: LocalDateText.day(invoice.issued + Int.random(in: 0...40, using: &random)),
                    amount: paid, currency: invoice.currency, allocations: [(invoice.id, paid)])
            case 5:
                guard let invoice = invoices.randomElement(using: &random) else { continue }
                let open = remaining[invoice.id] ?? 0
                guard open > 0 else { continue }
                if Int.random(in: 0..<3, using: &random) == 0 {
                    remaining[invoice.id] = 0
                    try await log.writeOff(
                        invoice: invoice.id, client: invoice.client,
                        on: LocalDateText.day(invoice.issued + Int.random(in: 0...60, using: &random)),
                        amount: open, currency: invoice.currency)
                } else {
                    let credit = Int64.random(in: 1...open, using: &random)
                    remaining[invoice.id] = open - credit
                    try await log.creditNote(
                        invoice: invoice.id, client: invoice.client,
                        issuedOn: LocalDateText.day(invoice.issued + Int.random(in: 0...50, using: &random)),
                        amount: credit, currency: invoice.currency)
                }
            case 6, 7:
                guard let invoice = invoices.randomElement(using: &random) else { continue }
                let made = invoice.issued + Int.random(in: 0...30, using: &random)
                try await log.promise(
                    invoice: invoice.id, client: invoice.client, madeOn: LocalDateText.day(made),
                    promisedOn: LocalDateText.day(made + Int.random(in: 0...15, using: &random)),
                    amount: Int64.random(in: 1...max(1, remaining[invoice.id] ?? 1), using: &random),
                    currency: invoice.currency)
            case 8:
                guard let invoice = invoices.randomElement(using: &random) else { continue }
                try await log.reminder(
                    invoice: invoice.id, client: invoice.client,
                    sentOn: LocalDateText.day(invoice.issued + Int.random(in: 1...60, using: &random)),
                    level: Int.random(in: 1...3, using: &random))
            default:
                continue
            }
            if step % 150 == 0 { try await log.catchUp(batchSize: Int64.random(in: 1...40, using: &random)) }
        }
        try await log.catchUp(batchSize: 23)
        let stored = try await StoredReceivables.read(log)
        #expect(stored.events.count > 400)

        var windows: [(asOf: String, knownAt: String?)] = [(LocalDateText.day(400), nil), (LocalDateText.day(60), nil)]
        for _ in 0..<30 {
            let asOf = LocalDateText.day(Int.random(in: 0..<160, using: &random))
            let knownAt = Bool.random(using: &random) ? stored.events.randomElement(using: &random)!.recordedText : nil
            windows.append((asOf, knownAt))
        }
        var seen = Set<String>()
        for (asOf, knownAt) in windows {
            let window = ReportWindow.day(asOf, knownAt: knownAt)
            let expected = stored.expectedRows(window)
            seen.formUnion(expected.map { $0.promiseState ?? "none" })
            let (list, aging) = try await log.query { connection in
                (
                    try ReceivablesByInvoice.query(window: window, personalData: log.personalData, on: connection),
                    try ReceivablesAging.query(window: window, personalData: log.personalData, on: connection)
                )
            }
            #expect(list.rows.map(Expected.init) == expected, "asOf \(asOf) knownAt \(knownAt ?? "-")")
            var sums: [String: Int64] = [:]
            for row in list.rows { sums["\(row.clientId.lower) \(row.currency)", default: 0] += row.openMinor }
            var totals: [String: Int64] = [:]
            for row in aging.rows where row.amounts.totalMinor > 0 {
                totals["\(row.clientId.lower) \(row.currency)"] = row.amounts.totalMinor
            }
            #expect(sums == totals, "asOf \(asOf) knownAt \(knownAt ?? "-")")

            // Pages of 7 give the same rows; each filter keeps exactly the rows it names.
            var paged: [ReceivablesByInvoice.Row] = []
            var cursor: String?
            repeat {
                let page = try await log.query { [cursor] in
                    try ReceivablesByInvoice.query(
                        window: window, limit: 7, cursor: cursor, personalData: log.personalData, on: $0)
                }
                paged += page.rows
                cursor = page.next
            } while cursor != nil
            #expect(paged == list.rows)
            for filter in ReceivablesByInvoice.PromiseFilter.allCases {
                let filtered = try await log.query {
                    try ReceivablesByInvoice.query(
                        window: window, promise: filter, limit: 5, personalData: log.personalData, on: $0)
                }
                let kept = expected.filter { ($0.promiseState ?? "none") == filter.rawValue }
                #expect(filtered.rows.map(Expected.init) == Array(kept.prefix(5)), "\(filter) asOf \(asOf)")
            }
            let overdue = try await log.query {
                try ReceivablesByInvoice.query(
                    window: window, overdueOnly: true, personalData: log.personalData, on: $0)
            }
            #expect(overdue.rows.map(Expected.init) == expected.filter { $0.daysOverdue > 0 })
        }
        // The log reaches every state, and the windows are not empty.
        #expect(seen == ["kept", "broken", "open", "none"])
        try await log.rebuildAllExpectingMatches(batchSize: 200)
    }
}

/// What the test compares of a row (the name aside).
struct Expected: Equatable, CustomStringConvertible {
    var invoiceId: String
    var number: String
    var clientId: String
    var currency: String
    var openMinor: Int64
    var daysOverdue: Int
    var bucket: String
    var promise: String?
    var promiseState: String?
    var reminders: Int
    var lastReminder: String?

    init(
        invoiceId: String, number: String, clientId: String, currency: String, openMinor: Int64, daysOverdue: Int,
        bucket: String, promise: String?, promiseState: String?, reminders: Int, lastReminder: String?
    ) {
        self.invoiceId = invoiceId
        self.number = number
        self.clientId = clientId
        self.currency = currency
        self.openMinor = openMinor
        self.daysOverdue = daysOverdue
        self.bucket = bucket
        self.promise = promise
        self.promiseState = promiseState
        self.reminders = reminders
        self.lastReminder = lastReminder
    }

    init(_ row: ReceivablesByInvoice.Row) {
        self.init(
            invoiceId: row.invoiceId.lower, number: row.number, clientId: row.clientId.lower, currency: row.currency,
            openMinor: row.openMinor, daysOverdue: row.daysOverdue, bucket: row.bucket,
            promise: row.promise.map { "\($0.madeOn) \($0.promisedOn) \($0.amountMinor)" },
            promiseState: row.promise?.state.rawValue,
            reminders: row.reminders, lastReminder: row.lastReminder.map { "\($0.sentOn) \($0.level)" })
    }

    var description: String {
        "\(number) open \(openMinor) d\(daysOverdue) \(bucket) \(promise ?? "-") \(promiseState ?? "-") r\(reminders) \(lastReminder ?? "-")"
    }
}

/// The receivables events as stored, and the contract's per-invoice list computed from them in
/// Swift, independently of the read model's SQL.
struct StoredReceivables {
    struct Event {
        var position: Int64
        var recordedMicros: Int64
        var recordedText: String
        var type: String
        var data: [String: Any]

        func text(_ key: String) -> String { data[key] as? String ?? "" }
        func amount(_ key: String = "amountMinor") -> Int64 { (data[key] as? NSNumber)?.int64Value ?? 0 }
    }

    var events: [Event]

    static func read(_ log: SalesLog) async throws -> StoredReceivables {
        let rows: [(Int64, Int64, String, String, String)] = try await log.query { connection in
            try connection.query(
                """
                SELECT position, (extract(epoch FROM recorded_at) * 1000000)::bigint, format_instant(recorded_at), type, data::text
                  FROM events WHERE stream_id LIKE 'receivables-%' ORDER BY position
                """
            ).rows.map { (try $0.decode(0), try $0.decode(1), try $0.decode(2), try $0.decode(3), try $0.decode(4)) }
        }
        return StoredReceivables(
            events: try rows.map { position, micros, text, type, data in
                Event(
                    position: position, recordedMicros: micros, recordedText: text, type: type,
                    data: try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] ?? [:])
            })
    }

    func expectedRows(_ window: ReportWindow) -> [Expected] {
        let asOf = window.asOf.description
        let knownMicros = window.knownAt.map(micros(of:))
        let counted = events.filter { event in knownMicros.map { event.recordedMicros <= $0 } ?? true }
        var rows: [(due: String, expected: Expected)] = []
        for issued in counted where issued.type == "InvoiceIssued" && issued.text("issuedOn") <= asOf {
            let id = issued.text("invoiceId")
            let mine = counted.filter { $0.text("invoiceId") == id || $0.type == "PaymentReceived" }
            func allocated(from: String, through: String) -> Int64 {
                mine.filter {
                    $0.type == "PaymentReceived" && $0.text("receivedOn") >= from && $0.text("receivedOn") <= through
                }
                .flatMap { ($0.data["allocations"] as? [[String: Any]]) ?? [] }
                .filter { $0["invoiceId"] as? String == id }
                .reduce(0) { $0 + ((($1["amountMinor"] as? NSNumber)?.int64Value) ?? 0) }
            }
            let credited = mine.filter { $0.type == "CreditNoteIssued" && $0.text("issuedOn") <= asOf }.reduce(0) {
                $0 + $1.amount()
            }
            let writtenOff = mine.contains { $0.type == "InvoiceWrittenOff" && $0.text("writtenOffOn") <= asOf }
            let open = writtenOff ? 0 : issued.amount() - allocated(from: "0000-01-01", through: asOf) - credited
            guard open > 0 else { continue }
            let due = issued.text("dueOn")
            let days = max(0, LocalDate(due)!.days(until: window.asOf))
            let promise = mine.filter { $0.type == "PaymentPromised" && $0.text("madeOn") <= asOf }
                .max { ($0.text("madeOn"), $0.position) < ($1.text("madeOn"), $1.position) }
            var state: String?
            if let promise {
                let paidWithin = allocated(from: promise.text("madeOn"), through: min(promise.text("promisedOn"), asOf))
                state = paidWithin >= promise.amount() ? "kept" : promise.text("promisedOn") < asOf ? "broken" : "open"
            }
            let reminders = mine.filter { $0.type == "PaymentReminderSent" && $0.text("sentOn") <= asOf }
            let last = reminders.max { ($0.text("sentOn"), $0.position) < ($1.text("sentOn"), $1.position) }
            rows.append(
                (
                    due,
                    Expected(
                        invoiceId: id, number: issued.text("number"), clientId: issued.text("clientId"),
                        currency: issued.text("currency"), openMinor: open, daysOverdue: days,
                        bucket: days <= 0
                            ? "current" : days <= 30 ? "1-30" : days <= 60 ? "31-60" : days <= 90 ? "61-90" : "90+",
                        promise: promise.map { "\($0.text("madeOn")) \($0.text("promisedOn")) \($0.amount())" },
                        promiseState: state,
                        reminders: reminders.count,
                        lastReminder: last.map { "\($0.text("sentOn")) \($0.amount("level"))" })
                ))
        }
        // Days overdue descending, then dueOn, then number by code points.
        return rows.sorted { left, right in
            if left.expected.daysOverdue != right.expected.daysOverdue {
                return left.expected.daysOverdue > right.expected.daysOverdue
            }
            if left.due != right.due { return left.due < right.due }
            return left.expected.number.unicodeScalars.map(\.value)
                .lexicographicallyPrecedes(right.expected.number.unicodeScalars.map(\.value))
        }.map(\.expected)
    }

    /// Microseconds since the epoch of an instant (knownAt is already whole microseconds).
    private func micros(of instant: Instant) -> Int64 {
        let text = instant.description
        let whole = String(text.prefix(19)) + "Z"
        let seconds = Int64(ISO8601DateFormatter().date(from: whole)!.timeIntervalSince1970)
        var fraction = Int64(0)
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
            fraction = Int64((digits + String(repeating: "0", count: 6)).prefix(6))!
        }
        return seconds * 1_000_000 + fraction
    }
}
