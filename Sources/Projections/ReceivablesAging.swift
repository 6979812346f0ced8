import Foundation
import PQ
import Sales

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
        public var name: String?
        public var currency: String
        public var amounts: Amounts
    }

    public var asOf: LocalDate
    /// `current`, `1-e1`, `(e1+1)-e2`, …, `en+`.
    public var bucketLabels: [String]
    /// Every row, by `totalMinor` descending, then `clientId`, then currency.
    public var rows: [Row]
    /// Per currency, over every row.
    public var totals: [String: Amounts]

    /// The default edges: 30, 60, 90 days.
    public static let defaultEdges = [30, 60, 90]

    /// Edges from `buckets=30,60,90`.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` unless strictly ascending positive integers.
    public static func edges(_ text: String?) throws -> [Int] {
        guard let text else { return defaultEdges }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let edges = parts.compactMap { part in Int(part).flatMap { $0 > 0 && $0 < 100_000 ? $0 : nil } }
        guard !parts.isEmpty, edges.count == parts.count, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ProjectionError.invalidParameter(
                field: "buckets", message: "must be strictly ascending positive integers, e.g. 30,60,90")
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

    /// The whole report in `window` with bucket `edges`, from the live `aging` read model.
    public static func query(window: ReportWindow, edges: [Int] = defaultEdges, on connection: Connection) throws
        -> ReceivablesAging
    {
        let model = try ProjectionRegistry.live(.aging, on: connection)
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        let labels = labels(edges)
        var rows: [String: Row] = [:]
        func row(_ client: UUID, _ currency: String) -> Row {
            rows["\(client)|\(currency)"]
                ?? Row(
                    clientId: client, name: nil, currency: currency,
                    amounts: Amounts(buckets: Array(repeating: 0, count: labels.count)))
        }
        try connection.forEachRow(
            """
            WITH paid AS (
                SELECT invoice_id, sum(amount) AS amount FROM \(fragment: model.table(.allocations))
                 WHERE received_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz GROUP BY invoice_id),
            credited AS (
                SELECT invoice_id, sum(amount) AS amount FROM \(fragment: model.table(.creditNotes))
                 WHERE issued_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz GROUP BY invoice_id),
            written_off AS (
                SELECT DISTINCT invoice_id FROM \(fragment: model.table(.writeOffs))
                 WHERE written_off_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz),
            open_invoices AS (
                SELECT i.client_id, i.currency, (\(asOf)::date - i.due_on) AS overdue,
                       CASE WHEN w.invoice_id IS NOT NULL THEN 0
                            ELSE i.amount::numeric - coalesce(p.amount, 0) - coalesce(c.amount, 0) END AS open
                  FROM \(fragment: model.table(.invoices)) i
                  LEFT JOIN paid p USING (invoice_id)
                  LEFT JOIN credited c USING (invoice_id)
                  LEFT JOIN written_off w USING (invoice_id)
                 WHERE i.issued_on <= \(asOf)::date AND i.recorded_at <= \(knownAt)::timestamptz)
            SELECT client_id, currency,
                   CASE WHEN overdue <= 0 THEN 0
                        ELSE 1 + (SELECT count(*) FROM unnest(\(edges)::int[]) edge WHERE edge < overdue) END AS bucket,
                   sum(open)::text AS open
              FROM open_invoices WHERE open > 0
             GROUP BY 1, 2, 3
            """
        ) { sql in
            let client: UUID = try sql.decode("client_id")
            let currency: String = try sql.decode("currency")
            let bucket: Int = try sql.decode("bucket")
            let open = try sql.amount("open")
            var current = row(client, currency)
            current.amounts.buckets[bucket] = try adding(current.amounts.buckets[bucket], open)
            current.amounts.totalMinor = try adding(current.amounts.totalMinor, open)
            rows["\(client)|\(currency)"] = current
        }
        try connection.forEachRow(
            """
            SELECT client_id, currency, sum(unapplied)::text AS unapplied FROM \(fragment: model.table(.payments))
             WHERE received_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz AND unapplied > 0
             GROUP BY 1, 2
            """
        ) { sql in
            let client: UUID = try sql.decode("client_id")
            let currency: String = try sql.decode("currency")
            var current = row(client, currency)
            current.amounts.unappliedCreditMinor = try sql.amount("unapplied")
            rows["\(client)|\(currency)"] = current
        }
        var names: [UUID: String] = [:]
        try connection.forEachRow(
            """
            SELECT DISTINCT ON (client_id) client_id, name FROM \(fragment: model.table(.clients))
             WHERE client_id = ANY(\(Array(Set(rows.values.map(\.clientId))))::uuid[])
               AND recorded_at <= \(knownAt)::timestamptz
             ORDER BY client_id, position DESC
            """
        ) { sql in names[try sql.decode("client_id")] = try sql.decodeOptional("name") }
        var totals: [String: Amounts] = [:]
        var ordered = Array(rows.values)
        for index in ordered.indices {
            ordered[index].name = names[ordered[index].clientId]
            let amounts = ordered[index].amounts
            var total = totals[ordered[index].currency] ?? Amounts(buckets: Array(repeating: 0, count: labels.count))
            total.totalMinor = try adding(total.totalMinor, amounts.totalMinor)
            total.unappliedCreditMinor = try adding(total.unappliedCreditMinor, amounts.unappliedCreditMinor)
            for bucket in total.buckets.indices {
                total.buckets[bucket] = try adding(total.buckets[bucket], amounts.buckets[bucket])
            }
            totals[ordered[index].currency] = total
        }
        ordered = ordered.map { ($0.sortKey, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        return ReceivablesAging(asOf: window.asOf, bucketLabels: labels, rows: ordered, totals: totals)
    }

    /// The rows of one page: at most `limit` after the row `cursor` names.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for a bad cursor or limit.
    public func page(limit: Int, cursor: String?) throws -> (rows: [Row], next: String?) {
        try ReportPage.slice(rows, limit: limit, cursor: cursor, key: \.sortKey)
    }

    /// One page as the API's JSON object.
    public func json(limit: Int, cursor: String?) throws -> JSONValue {
        let (page, next) = try page(limit: limit, cursor: cursor)
        return .object([
            "asOf": .date(asOf), "bucketLabels": .array(bucketLabels.map(JSONValue.string)),
            "clients": .array(
                page.map { row in
                    var members = amountsJSON(row.amounts).objectValue ?? [:]
                    members["clientId"] = .string(row.clientId.uuidString.lowercased())
                    members["name"] = row.name.map(JSONValue.string) ?? .null
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
    public var csv: String {
        var lines = [(["clientId", "name", "currency", "totalMinor"] + bucketLabels + ["unappliedCreditMinor"])
            .joined(separator: ",")]
        for row in rows {
            let fields =
                [row.clientId.uuidString.lowercased(), ReportPage.csvField(row.name ?? ""), row.currency,
                 String(row.amounts.totalMinor)] + row.amounts.buckets.map(String.init)
                + [String(row.amounts.unappliedCreditMinor)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

extension ReceivablesAging.Row {
    /// The ordering key: `totalMinor` descending, then `clientId`, then currency.
    var sortKey: String {
        let inverted = UInt64(bitPattern: Int64.max) - UInt64(bitPattern: amounts.totalMinor)
        return String(format: "%020llu", inverted) + "|" + clientId.uuidString.lowercased() + "|" + currency
    }
}
