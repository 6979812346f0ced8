public import Access
public import Foundation
import HexText
public import JSON
public import PQ
public import Sales

/// Receivables aging: what each client owes per currency as of a day, by
/// days overdue, with unapplied credit beside it (see the contract's "Reads").
public struct ReceivablesAging: Sendable, Equatable {
    /// Amounts of one client and currency, or of one currency's totals.
    public struct Amounts: Sendable, Equatable {
        public var totalMinor: Int64 = 0
        /// One amount per bucket label, in label order.
        public var buckets: [Int64]
        public var unappliedCreditMinor: Int64 = 0

        /// Amounts with these sums.
        public init(totalMinor: Int64 = 0, buckets: [Int64], unappliedCreditMinor: Int64 = 0) {
            self.totalMinor = totalMinor
            self.buckets = buckets
            self.unappliedCreditMinor = unappliedCreditMinor
        }
    }

    /// One row: a client in one currency.
    public struct Row: Sendable, Equatable {
        public var clientId: UUID
        /// The client's name; nil once its personal data is erased.
        public var name: String?
        /// Whether the name was erased (`erasedFields: ["name"]`).
        public var nameErased = false
        public var currency: String
        public var amounts: Amounts
    }

    public var asOf: LocalDate
    /// `current`, `1-e1`, `(e1+1)-e2`, …, `en+`.
    public var bucketLabels: [String]
    /// The rows asked for (one page, or every row), by `totalMinor` descending, then `clientId`,
    /// then currency.
    public var rows: [Row]
    /// Per currency, over every row of the report (not only the page's).
    public var totals: [String: Amounts]
    /// The cursor of the next page, nil on the last one.
    public var next: String?

    /// The default edges: 30, 60, 90 days.
    public static let defaultEdges = [30, 60, 90]

    /// The most edges a report takes (a year of daily buckets): a sane limit on the query, which
    /// sums every bucket of every row.
    public static let maximumEdges = 365

    /// Edges from `buckets=30,60,90`.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` unless 1 to ``maximumEdges``
    ///   strictly ascending positive integers.
    public static func edges(_ text: String?) throws -> [Int] {
        guard let text else { return defaultEdges }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let edges = parts.compactMap { part in Int(part).flatMap { $0 > 0 && $0 < 100_000 ? $0 : nil } }
        guard !parts.isEmpty, parts.count <= maximumEdges, edges.count == parts.count,
            zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw ProjectionError.invalidParameter(
                field: "buckets",
                message: "must be 1 to \(maximumEdges) strictly ascending positive integers, e.g. 30,60,90")
        }
        return edges
    }

    /// The labels of `edges`.
    public static func labels(_ edges: [Int]) -> [String] {
        var labels = ["current"]
        var lower = 1
        for edge in edges {
            labels.append("\(lower)-\(edge)")
            lower = edge + 1
        }
        labels.append("\(edges.last ?? 0)+")
        return labels
    }

    /// The label of the bucket of an invoice `daysOverdue` days overdue (0 or less: `current`), in
    /// ``labels(_:)`` of `edges`: the one whose interval holds it (edges inclusive), else the last.
    /// The report's SQL buckets the same way (`width_bucket`).
    public static func label(ofDaysOverdue daysOverdue: Int, edges: [Int]) -> String {
        let labels = labels(edges)
        guard daysOverdue > 0 else { return labels[0] }
        return labels[1 + edges.prefix { $0 < daysOverdue }.count]
    }

    /// The report in `window` with bucket `edges`, from the live `aging` read model: the page of at
    /// most `limit` rows after the row `cursor` names, or every row when `limit` is nil.
    ///
    /// When no fact is dated after `asOf` and `knownAt` is not given (the usual report as of today),
    /// open balances and unapplied credit come from the current-state tables, which hold only a
    /// few rows per open invoice and client; otherwise they are summed from the dated facts.
    /// Ordering, paging and totals are computed by PostgreSQL either way; rows with something owed
    /// come before the rows of unapplied credit alone (whose total is 0), which are read only when
    /// the page reaches them.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for a bad cursor or limit.
    public static func query(
        window: ReportWindow, edges: [Int] = defaultEdges, limit: Int? = nil, cursor: String? = nil,
        personalData: PersonalDataKeys, on connection: Connection
    ) throws -> ReceivablesAging {
        let model = try ProjectionRegistry.live(.aging, on: connection)
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        let labels = labels(edges)
        let after = try cursor.map(CursorPosition.init)
        let pageSize = try limit.map(ReportPage.checked)
        let sources: SQL =
            try model.answersFromCurrentState(window, tables: [.invoiceBalances, .unappliedCredits], on: connection)
            ? """
            open_items AS (
                SELECT client_id, currency, due_on, open FROM \(fragment: model.table(.invoiceBalances))
                 WHERE open > 0 AND issued_on <= \(asOf)::date),
            unapplied AS NOT MATERIALIZED (
                SELECT client_id, currency, amount FROM \(fragment: model.table(.unappliedCredits)))
            """
            : """
            paid AS (
                SELECT invoice_id, sum(amount) AS amount FROM \(fragment: model.table(.allocations))
                 WHERE received_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz GROUP BY invoice_id),
            credited AS (
                SELECT invoice_id, sum(amount) AS amount FROM \(fragment: model.table(.creditNotes))
                 WHERE issued_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz GROUP BY invoice_id),
            written_off AS (
                SELECT DISTINCT invoice_id FROM \(fragment: model.table(.writeOffs))
                 WHERE written_off_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz),
            open_items AS (
                SELECT i.client_id, i.currency, i.due_on,
                       CASE WHEN w.invoice_id IS NOT NULL THEN 0
                            ELSE i.amount::numeric - coalesce(p.amount, 0) - coalesce(c.amount, 0) END AS open
                  FROM \(fragment: model.table(.invoices)) i
                  LEFT JOIN paid p USING (invoice_id)
                  LEFT JOIN credited c USING (invoice_id)
                  LEFT JOIN written_off w USING (invoice_id)
                 WHERE i.issued_on <= \(asOf)::date AND i.recorded_at <= \(knownAt)::timestamptz),
            unapplied AS (
                SELECT client_id, currency, sum(unapplied) AS amount FROM \(fragment: model.table(.payments))
                 WHERE received_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz AND unapplied > 0
                 GROUP BY 1, 2)
            """
        // `bucket:amount` for each bucket with something in it, comma-separated, in one pass over
        // the items (array_to_string skips the empty buckets' NULLs; an ARRAY[…] constructor, not
        // a function call, so no limit of 100 arguments); the bucket numbers are integers.
        let bucketSums = SQL(
            unsafeRaw: labels.indices.map { "'\($0):' || sum(open) FILTER (WHERE bucket = \($0))" }
                .joined(separator: ", ")
        )
        let bucketList: SQL = "array_to_string(ARRAY[\(fragment: bucketSums)], ',')"
        var rows: [Row] = []
        var totals: [String: Amounts] = [:]
        try connection.forEachRow(
            """
            WITH \(fragment: sources),
            items AS (
                SELECT client_id, currency, open,
                       -- Days overdue d > 0 fall in bucket 1 + the number of edges below d; the edges
                       -- ascend, so that is width_bucket(d - 1, edges), without a subquery per row.
                       CASE WHEN \(asOf)::date - due_on <= 0 THEN 0
                            ELSE 1 + width_bucket(\(asOf)::date - due_on - 1, \(edges)::int[])
                       END AS bucket
                  FROM open_items WHERE open > 0),
            owed AS (
                SELECT client_id, currency, sum(open) AS total, \(fragment: bucketList) AS buckets
                  FROM items GROUP BY 1, 2),
            page AS (
                SELECT * FROM (
                    SELECT client_id, currency, total, buckets FROM owed
                     WHERE \(after?.total)::numeric IS NULL OR total < \(after?.total)::numeric
                        OR (total = \(after?.total)::numeric AND (client_id, currency COLLATE "C")
                            > (\(after?.clientId)::uuid, \(after?.currency)::text COLLATE "C"))
                     ORDER BY total DESC, client_id, currency COLLATE "C" LIMIT \(pageSize.map { $0 + 1 })::bigint) owing
                UNION ALL
                SELECT * FROM (
                    SELECT client_id, currency, 0, NULL FROM unapplied u
                     WHERE NOT EXISTS (SELECT 1 FROM owed o WHERE o.client_id = u.client_id AND o.currency = u.currency)
                       AND (\(after?.total)::numeric IS NULL OR \(after?.total)::numeric > 0
                            OR (client_id, currency COLLATE "C") > (\(after?.clientId)::uuid, \(after?.currency)::text COLLATE "C"))
                     ORDER BY client_id, currency COLLATE "C" LIMIT \(pageSize.map { $0 + 1 })::bigint) crediting
                LIMIT \(pageSize.map { $0 + 1 })::bigint),
            currency_totals AS (
                SELECT currency, sum(open) AS total, \(fragment: bucketList) AS buckets FROM items GROUP BY 1)
            SELECT false AS is_total, row_number() OVER (ORDER BY p.total DESC, p.client_id, p.currency COLLATE "C"),
                   p.client_id, n.name, p.currency, p.total::text AS total, p.buckets,
                   coalesce(u.amount, 0)::text AS unapplied
              FROM page p
              LEFT JOIN unapplied u USING (client_id, currency)
              LEFT JOIN LATERAL (
                  SELECT name FROM \(fragment: model.table(.clients)) c
                   WHERE c.client_id = p.client_id AND c.recorded_at <= \(knownAt)::timestamptz
                   ORDER BY c.position DESC LIMIT 1) n ON true
            UNION ALL
            SELECT true, 0, NULL, NULL, currency, coalesce(t.total, 0)::text, t.buckets, coalesce(u.amount, 0)::text
              FROM currency_totals t
              FULL JOIN (SELECT currency, sum(amount) AS amount FROM unapplied GROUP BY 1) u USING (currency)
             ORDER BY 1, 2
            """
        ) { sql in
            var amounts = Amounts(
                totalMinor: try sql.amount("total"), buckets: Array(repeating: 0, count: labels.count),
                unappliedCreditMinor: try sql.amount("unapplied"))
            for part in (try sql.decodeOptional("buckets", as: String.self) ?? "").split(separator: ",") {
                let pair = part.split(separator: ":")
                guard pair.count == 2, let bucket = Int(pair[0]), amounts.buckets.indices.contains(bucket) else {
                    continue
                }
                guard let amount = Int64(pair[1]) else { throw ProjectionError.amountOverflow }
                amounts.buckets[bucket] = amount
            }
            let currency: String = try sql.decode("currency")
            if try sql.decode("is_total") {
                totals[currency] = amounts
            } else {
                rows.append(
                    Row(
                        clientId: try sql.decode("client_id"), name: try sql.decodeOptional("name"), currency: currency,
                        amounts: amounts))
            }
        }
        var next: String?
        if let pageSize, rows.count > pageSize {
            rows.removeLast(rows.count - pageSize)
            next = rows.last.map { ReportPage.cursor(after: $0.sortKey) }
        }
        try personalData.open(&rows, \.name, erased: \.nameErased, on: connection)
        return ReceivablesAging(asOf: window.asOf, bucketLabels: labels, rows: rows, totals: totals, next: next)
    }

    /// The rows and totals as the API's JSON object.
    public var json: JSONValue {
        .object([
            "asOf": .date(asOf), "bucketLabels": .array(bucketLabels.map(JSONValue.string)),
            "clients": .array(
                rows.map { row in
                    var members = amountsJSON(row.amounts).objectValue ?? [:]
                    members["clientId"] = .string(row.clientId.canonical)
                    members["name"] = row.name.map(JSONValue.string) ?? .null
                    if row.nameErased { members["erasedFields"] = .array([.string("name")]) }
                    members["currency"] = .string(row.currency)
                    return .object(members)
                }),
            "totals": .array(
                totals.keys.sorted().map { currency in
                    var members = amountsJSON(totals[currency]!).objectValue ?? [:]
                    members["currency"] = .string(currency)
                    return .object(members)
                }),
            "next": next.map(JSONValue.string) ?? .null,
        ])
    }

    private func amountsJSON(_ amounts: Amounts) -> JSONValue {
        .object([
            "totalMinor": .integer(amounts.totalMinor),
            "buckets": .object(
                Dictionary(uniqueKeysWithValues: zip(bucketLabels, amounts.buckets.map { JSONValue.integer($0) }))),
            "unappliedCreditMinor": .integer(amounts.unappliedCreditMinor),
        ])
    }

    /// The whole report as CSV: `clientId,name,currency,totalMinor,<labels…>,unappliedCreditMinor`.
    public var csv: CSVTable {
        var table = CSVTable(
            header: ["clientId", "name", "currency", "totalMinor"] + bucketLabels + ["unappliedCreditMinor"])
        for row in rows {
            table.append(
                [.text(row.clientId.canonical), .text(row.name), .text(row.currency), .integer(row.amounts.totalMinor)]
                    + row.amounts.buckets.map(CSVTable.Cell.integer) + [.integer(row.amounts.unappliedCreditMinor)])
        }
        return table
    }
}

extension ReceivablesAging.Row {
    /// The ordering key a cursor carries: `totalMinor` descending, then `clientId`, then currency.
    var sortKey: String {
        let inverted = UInt64(bitPattern: Int64.max) - UInt64(bitPattern: amounts.totalMinor)
        return String(format: "%020llu", inverted) + "|" + clientId.canonical + "|" + currency
    }
}

extension ReceivablesAging {
    /// The row a cursor names, read back from its ``Row/sortKey``.
    struct CursorPosition {
        var total: String
        var clientId: UUID
        var currency: String

        init(_ cursor: String) throws {
            let parts = try ReportPage.key(of: cursor).split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 3, let inverted = UInt64(parts[0]), inverted <= UInt64(Int64.max),
                let clientId = UUID(uuidString: String(parts[1]))
            else { throw ReportPage.invalidCursor }
            total = String(Int64(bitPattern: UInt64(Int64.max) - inverted))
            self.clientId = clientId
            currency = String(parts[2])
        }
    }
}
