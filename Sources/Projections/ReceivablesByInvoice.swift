public import Access
public import Foundation
import HexText
public import JSON
public import PQ
public import Sales

/// The per-invoice receivables list (`GET /v1/receivables/invoices`): every invoice with an open
/// balance as of a day by the aging rules, with its aging bucket, its latest promise to pay and
/// that promise's state, and the reminders sent. Served by the `aging` read model's facts.
public struct ReceivablesByInvoice: Sendable, Equatable {
    /// A promise's state as of the report's day (see ``Promise``).
    public enum PromiseState: String, Sendable, CaseIterable {
        case kept
        case broken
        case open
    }

    /// The `promise=` filter: a state, or `none` for invoices without a promise (a case not named
    /// `none`, which an optional filter would read as nil).
    public enum PromiseFilter: String, Sendable, CaseIterable {
        case broken
        case open
        case kept
        case withoutPromise = "none"

        /// The filter named by `promise=`, nil when absent.
        /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for another value.
        public static func named(_ text: String?) throws -> PromiseFilter? {
            try text.map { try PromiseFilter.named($0, field: "promise") }
        }
    }

    /// The latest promise made on or before the day (latest `madeOn`, then log position). It is
    /// **kept** when the allocations to its invoice of payments received in [`madeOn`,
    /// `promisedOn`] (and on or before the day) add up to at least `amountMinor`; **broken** when
    /// not kept and `promisedOn` is before the day; else **open**.
    public struct Promise: Sendable, Equatable {
        public var madeOn: LocalDate
        public var promisedOn: LocalDate
        public var amountMinor: Int64
        public var state: PromiseState

        /// A promise with these values.
        public init(madeOn: LocalDate, promisedOn: LocalDate, amountMinor: Int64, state: PromiseState) {
            self.madeOn = madeOn
            self.promisedOn = promisedOn
            self.amountMinor = amountMinor
            self.state = state
        }
    }

    /// The latest reminder sent on or before the day (latest `sentOn`, then log position).
    public struct Reminder: Sendable, Equatable {
        public var sentOn: LocalDate
        public var level: Int

        /// A reminder with these values.
        public init(sentOn: LocalDate, level: Int) {
            self.sentOn = sentOn
            self.level = level
        }
    }

    /// One invoice.
    public struct Row: Sendable, Equatable {
        public var invoiceId: UUID
        public var number: String
        public var clientId: UUID
        /// The client's name; nil once its personal data is erased.
        public var name: String?
        /// Whether the name was erased (`erasedFields: ["name"]`).
        public var nameErased = false
        public var currency: String
        public var issuedOn: LocalDate
        public var dueOn: LocalDate
        public var amountMinor: Int64
        public var openMinor: Int64
        /// max(0, asOf − dueOn).
        public var daysOverdue: Int
        /// The aging bucket's label.
        public var bucket: String
        public var promise: Promise?
        /// Reminders sent on or before the day.
        public var reminders: Int
        public var lastReminder: Reminder?
    }

    /// The version of the `aging` read model that keeps promises and reminders.
    static let agingVersion = 4

    public var asOf: LocalDate
    /// The aging labels of the edges asked for.
    public var bucketLabels: [String]
    /// The rows asked for (one page, or every row): by `daysOverdue` descending, then `dueOn`, then
    /// `number` in code-point order.
    public var rows: [Row]
    /// The cursor of the next page, nil on the last one.
    public var next: String?

    /// The list in `window` with aging bucket `edges`, from the live `aging` read model: the
    /// invoices of `clientId` (every client when nil), only those overdue when `overdueOnly`, only
    /// those whose promise is in the state `promise` asks for; the page of at most `limit` rows after
    /// the row `cursor` names, or every row when `limit` is nil.
    ///
    /// Days overdue descending, then `dueOn`, is `dueOn` ascending (every invoice not yet due has
    /// 0 days overdue and a later `dueOn` than every overdue one), so rows go by (`dueOn`, `number`),
    /// which is also the cursor. Open balances as of a day on or after every fact's date, without
    /// `knownAt`, come from the aging's current state (as the aging report does), whose index on
    /// the open invoices in that order gives a page without sorting every open invoice; otherwise
    /// they are summed from the dated facts. Promises and reminders are read for the page's invoices only,
    /// unless the `promise` filter needs every open invoice's.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for a bad cursor or limit;
    ///   ``ProjectionError/readModelOutdated(name:version:needed:)`` while the aging read model is
    ///   still at a version without promises and reminders (the runner rebuilds it).
    public static func query(
        window: ReportWindow, edges: [Int] = ReceivablesAging.defaultEdges, clientId: UUID? = nil,
        overdueOnly: Bool = false, promise filter: PromiseFilter? = nil, limit: Int? = nil, cursor: String? = nil,
        personalData: PersonalDataKeys, on connection: Connection
    ) throws -> ReceivablesByInvoice {
        let model = try ProjectionRegistry.live(.aging, on: connection)
        guard model.version >= agingVersion else {
            throw ProjectionError.readModelOutdated(name: model.name, version: model.version, needed: agingVersion)
        }
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        let after = try cursor.map(CursorPosition.init)
        let pageSize = try limit.map(ReportPage.checked)
        let openItems: SQL =
            try model.answersFromCurrentState(window, tables: [.invoiceBalances], on: connection)
            ? """
            open_items AS (
                SELECT invoice_id, number, client_id, currency, issued_on, due_on, amount, open
                  FROM \(fragment: model.table(.invoiceBalances))
                 WHERE open > 0 AND issued_on <= \(asOf)::date AND (\(clientId)::uuid IS NULL OR client_id = \(clientId)::uuid))
            """
            : """
            issued AS (
                SELECT invoice_id, number, client_id, currency, issued_on, due_on, amount FROM \(fragment: model.table(.invoices))
                 WHERE issued_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                   AND (\(clientId)::uuid IS NULL OR client_id = \(clientId)::uuid)),
            paid AS (
                SELECT invoice_id, sum(amount) AS amount FROM \(fragment: model.table(.allocations))
                 WHERE received_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                   AND (\(clientId)::uuid IS NULL OR client_id = \(clientId)::uuid) GROUP BY invoice_id),
            credited AS (
                SELECT invoice_id, sum(amount) AS amount FROM \(fragment: model.table(.creditNotes))
                 WHERE issued_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                   AND (\(clientId)::uuid IS NULL OR client_id = \(clientId)::uuid) GROUP BY invoice_id),
            written_off AS (
                SELECT DISTINCT invoice_id FROM \(fragment: model.table(.writeOffs))
                 WHERE written_off_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                   AND (\(clientId)::uuid IS NULL OR client_id = \(clientId)::uuid)),
            open_items AS (
                SELECT * FROM (
                    SELECT i.*, CASE WHEN w.invoice_id IS NOT NULL THEN 0
                                     ELSE i.amount::numeric - coalesce(p.amount, 0) - coalesce(c.amount, 0) END AS open
                      FROM issued i
                      LEFT JOIN paid p USING (invoice_id)
                      LEFT JOIN credited c USING (invoice_id)
                      LEFT JOIN written_off w USING (invoice_id)) o
                 WHERE open > 0)
            """
        // The latest promise made by the day, and what was paid on its invoice within its days.
        let promised: SQL = """
            LEFT JOIN LATERAL (
                SELECT pr.made_on, pr.promised_on, pr.amount AS promise_amount,
                       CASE WHEN (SELECT coalesce(sum(a.amount), 0) FROM \(fragment: model.table(.allocations)) a
                                   WHERE a.invoice_id = o.invoice_id AND a.received_on >= pr.made_on
                                     AND a.received_on <= least(pr.promised_on, \(asOf)::date)
                                     AND a.recorded_at <= \(knownAt)::timestamptz) >= pr.amount THEN 'kept'
                            WHEN pr.promised_on < \(asOf)::date THEN 'broken'
                            ELSE 'open' END AS promise_state
                  FROM \(fragment: model.table(.promises)) pr
                 WHERE pr.invoice_id = o.invoice_id AND pr.made_on <= \(asOf)::date AND pr.recorded_at <= \(knownAt)::timestamptz
                 ORDER BY pr.made_on DESC, pr.position DESC LIMIT 1) pr ON true
            """
        let (promisedBeforePaging, promisedAfterPaging): (SQL, SQL) =
            filter == nil ? ("", promised) : (promised, "")
        let promiseColumns: SQL =
            filter == nil ? "" : ", pr.made_on, pr.promised_on, pr.promise_amount, pr.promise_state"
        let pageColumns: SQL =
            filter == nil ? "o.*, pr.made_on, pr.promised_on, pr.promise_amount, pr.promise_state" : "o.*"
        let filtering: SQL =
            filter.map { (state) -> SQL in "AND coalesce(pr.promise_state, 'none') = \(state.rawValue)" } ?? ""
        var rows: [Row] = []
        try connection.forEachRow(
            """
            WITH \(fragment: openItems),
            page AS (
                SELECT o.*\(fragment: promiseColumns) FROM open_items o \(fragment: promisedBeforePaging)
                 WHERE (NOT \(overdueOnly)::boolean OR o.due_on < \(asOf)::date) \(fragment: filtering)
                   AND (\(after?.dueOn)::date IS NULL
                        OR (o.due_on, o.number COLLATE "C") > (\(after?.dueOn)::date, \(after?.number)::text COLLATE "C"))
                 ORDER BY o.due_on, o.number COLLATE "C" LIMIT \(pageSize.map { $0 + 1 })::bigint)
            SELECT \(fragment: pageColumns), greatest(0, \(asOf)::date - o.due_on) AS days_overdue,
                   o.open::text AS open_minor, r.reminders, r.last_sent_on, r.last_level, n.name
              FROM page o \(fragment: promisedAfterPaging)
              LEFT JOIN LATERAL (
                  SELECT count(*) AS reminders,
                         (array_agg(sent_on ORDER BY sent_on DESC, position DESC))[1] AS last_sent_on,
                         (array_agg(level::bigint ORDER BY sent_on DESC, position DESC))[1] AS last_level
                    FROM \(fragment: model.table(.reminders)) rm
                   WHERE rm.invoice_id = o.invoice_id AND rm.sent_on <= \(asOf)::date
                     AND rm.recorded_at <= \(knownAt)::timestamptz) r ON true
              LEFT JOIN LATERAL (
                  SELECT name FROM \(fragment: model.table(.clients)) c
                   WHERE c.client_id = o.client_id AND c.recorded_at <= \(knownAt)::timestamptz
                   ORDER BY c.position DESC LIMIT 1) n ON true
             ORDER BY o.due_on, o.number COLLATE "C"
            """
        ) { sql in
            let daysOverdue = Int(try sql.decode("days_overdue", as: Int32.self))
            var promise: Promise?
            if let madeOn = try sql.date("made_on"), let promisedOn = try sql.date("promised_on"),
                let state = PromiseState(rawValue: try sql.decode("promise_state"))
            {
                promise = Promise(
                    madeOn: madeOn, promisedOn: promisedOn, amountMinor: try sql.decode("promise_amount"), state: state)
            }
            var lastReminder: Reminder?
            if let sentOn = try sql.date("last_sent_on") {
                lastReminder = Reminder(sentOn: sentOn, level: Int(try sql.decode("last_level", as: Int64.self)))
            }
            guard let issuedOn = try sql.date("issued_on"), let dueOn = try sql.date("due_on") else {
                throw ProjectionError.readModelOutdated(name: model.name, version: model.version, needed: agingVersion)
            }
            rows.append(
                Row(
                    invoiceId: try sql.decode("invoice_id"), number: try sql.decode("number"),
                    clientId: try sql.decode("client_id"),
                    name: try sql.decodeOptional("name"), currency: try sql.decode("currency"), issuedOn: issuedOn,
                    dueOn: dueOn,
                    amountMinor: try sql.decode("amount"), openMinor: try sql.amount("open_minor"),
                    daysOverdue: daysOverdue,
                    bucket: ReceivablesAging.label(ofDaysOverdue: daysOverdue, edges: edges), promise: promise,
                    reminders: Int(try sql.decode("reminders", as: Int64.self)), lastReminder: lastReminder))
        }
        var next: String?
        if let pageSize, rows.count > pageSize {
            rows.removeLast(rows.count - pageSize)
            next = rows.last.map { ReportPage.cursor(after: "\($0.dueOn)|\($0.number)") }
        }
        try personalData.open(&rows, \.name, erased: \.nameErased, on: connection)
        return ReceivablesByInvoice(
            asOf: window.asOf, bucketLabels: ReceivablesAging.labels(edges), rows: rows, next: next)
    }

    /// The rows as the API's JSON object: `{"asOf", "bucketLabels", "invoices", "next"}`.
    public var json: JSONValue {
        .object([
            "asOf": .date(asOf), "bucketLabels": .array(bucketLabels.map(JSONValue.string)),
            "invoices": .array(
                rows.map { row in
                    var members: [String: JSONValue] = [
                        "invoiceId": .string(row.invoiceId.canonical), "number": .string(row.number),
                        "clientId": .string(row.clientId.canonical), "name": row.name.map(JSONValue.string) ?? .null,
                        "currency": .string(row.currency), "issuedOn": .date(row.issuedOn), "dueOn": .date(row.dueOn),
                        "amountMinor": .integer(row.amountMinor), "openMinor": .integer(row.openMinor),
                        "daysOverdue": .integer(Int64(row.daysOverdue)), "bucket": .string(row.bucket),
                        "promise": row.promise.map { promise in
                            .object([
                                "madeOn": .date(promise.madeOn), "promisedOn": .date(promise.promisedOn),
                                "amountMinor": .integer(promise.amountMinor), "state": .string(promise.state.rawValue),
                            ])
                        } ?? .null,
                        "reminders": .integer(Int64(row.reminders)),
                        "lastReminder": row.lastReminder.map { reminder in
                            .object(["sentOn": .date(reminder.sentOn), "level": .integer(Int64(reminder.level))])
                        } ?? .null,
                    ]
                    if row.nameErased { members["erasedFields"] = .array([.string("name")]) }
                    return .object(members)
                }),
            "next": next.map(JSONValue.string) ?? .null,
        ])
    }

    /// The CSV columns: the row's fields, the promise and the last reminder flattened.
    public static let csvHeader = [
        "invoiceId", "number", "clientId", "name", "currency", "issuedOn", "dueOn", "amountMinor", "openMinor",
        "daysOverdue", "bucket", "promiseMadeOn", "promisePromisedOn", "promiseAmountMinor", "promiseState",
        "reminders",
        "lastReminderSentOn", "lastReminderLevel",
    ]

    /// The rows as CSV (``csvHeader``), absent values as empty cells.
    public var csv: CSVTable {
        var table = CSVTable(header: Self.csvHeader)
        for row in rows {
            table.append([
                .text(row.invoiceId.canonical), .text(row.number), .text(row.clientId.canonical), .text(row.name),
                .text(row.currency), .text(row.issuedOn.description), .text(row.dueOn.description),
                .integer(row.amountMinor), .integer(row.openMinor), .integer(Int64(row.daysOverdue)), .text(row.bucket),
                .text(row.promise?.madeOn.description), .text(row.promise?.promisedOn.description),
                row.promise.map { .integer($0.amountMinor) } ?? .text(nil), .text(row.promise?.state.rawValue),
                .integer(Int64(row.reminders)), .text(row.lastReminder?.sentOn.description),
                row.lastReminder.map { .integer(Int64($0.level)) } ?? .text(nil),
            ])
        }
        return table
    }
}

extension ReceivablesByInvoice {
    /// The row a cursor names: its `dueOn` and `number` (`YYYY-MM-DD|number`).
    struct CursorPosition {
        var dueOn: String
        var number: String

        init(_ cursor: String) throws {
            let key = try ReportPage.key(of: cursor)
            guard key.count > 11, let separator = key.index(key.startIndex, offsetBy: 10, limitedBy: key.endIndex),
                key[separator] == "|", let date = LocalDate(String(key[..<separator]))
            else { throw ReportPage.invalidCursor }
            dueOn = date.description
            number = String(key[key.index(after: separator)...])
        }
    }
}
