public import Access
public import Foundation
import HexText
public import JSON
public import PQ
public import Sales

/// The retention list: clients to act on as of a day, with the reasons
/// (broken purchase rhythm, a single old purchase, no recent touch).
public struct RetentionList: Sendable, Equatable {
    /// The thresholds, as query parameters.
    public struct Thresholds: Sendable, Equatable {
        public var rhythmFactor: Double = 1.5
        public var singlePurchaseDays: Int = 60
        public var untouchedDays: Int = 30

        public init() {}

        /// Thresholds from query parameters (absent ones keep their default).
        /// - Throws: ``ProjectionError/invalidParameter(field:message:)``.
        public init(rhythmFactor: String?, singlePurchaseDays: String?, untouchedDays: String?) throws {
            if let rhythmFactor {
                guard let value = Double(rhythmFactor), value.isFinite, value > 0 else {
                    throw ProjectionError.invalidParameter(field: "rhythmFactor", message: "must be a positive number")
                }
                self.rhythmFactor = value
            }
            for (field, text) in [("singlePurchaseDays", singlePurchaseDays), ("untouchedDays", untouchedDays)] {
                guard let text else { continue }
                guard let value = Int(text), value > 0, value < 100_000 else {
                    throw ProjectionError.invalidParameter(field: field, message: "must be a positive integer")
                }
                if field == "singlePurchaseDays" { self.singlePurchaseDays = value } else { self.untouchedDays = value }
            }
        }
    }

    /// A reason to act on a client; a row lists its reasons in the order of ``allCases``.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// At least two distinct purchase dates, and the days since the last one exceed the
        /// rhythm factor times the median gap.
        case rhythmBroken = "rhythm-broken"
        /// Exactly one purchase date, longer ago than `singlePurchaseDays`.
        case singlePurchase = "single-purchase"
        /// Registered longer ago than `untouchedDays` and no touch within them.
        case untouched

        /// The reasons named by the (repeatable) `reason` query parameter; none keeps every row.
        /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for a name that is no reason.
        public static func named(_ names: [String]) throws -> Set<Reason> {
            try Set(names.map { try Reason.named($0, field: "reason") })
        }
    }

    /// One client to act on.
    public struct Client: Sendable, Equatable {
        public var clientId: UUID
        /// The client's name; nil once its personal data is erased.
        public var name: String?
        /// Whether the name was erased (`erasedFields: ["name"]`).
        public var nameErased = false
        /// In the order `rhythm-broken`, `single-purchase`, `untouched`.
        public var reasons: [String]
        public var lastPurchaseOn: LocalDate?
        public var medianIntervalDays: Double?
        public var daysSinceLastPurchase: Int?
        public var lastTouchOn: LocalDate?
        public var ltv: [String: Int64]

        /// Largest ltv amount descending, then `clientId`; clients without orders last.
        var sortKey: String {
            guard let largest = ltv.values.max() else { return "1|" + clientId.canonical }
            let inverted = UInt64(bitPattern: Int64.max) - UInt64(bitPattern: largest)
            return "0|" + String(format: "%020llu", inverted) + "|" + clientId.canonical
        }
    }

    public var asOf: LocalDate
    /// The clients asked for (one page, or every client to act on), in report order.
    public var clients: [Client]
    /// The cursor of the next page, nil on the last one.
    public var next: String?

    /// The list in `window`, from the live `retention` read model: the page of at most `limit`
    /// clients after the one `cursor` names, or every client to act on when `limit` is nil. With
    /// `reasons`, only the clients with at least one of them; the page is filled from those (the
    /// filter applies before paging).
    ///
    /// Clients are read in report order after `cursor` (PostgreSQL sorts them) until the page is
    /// full, a growing chunk at a time. When no fact is dated after `asOf` and `knownAt` is not
    /// given (the usual list as of today), they come from the current-state table by its index;
    /// otherwise every client is folded from the dated facts for each chunk (all of them in one
    /// pass for the whole list).
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for a bad cursor or limit.
    public static func query(
        window: ReportWindow, thresholds: Thresholds = Thresholds(), reasons: Set<Reason> = [], limit: Int? = nil,
        cursor: String? = nil, personalData: PersonalDataKeys, on connection: Connection
    ) throws -> RetentionList {
        let model = try ProjectionRegistry.live(.retention, on: connection)
        let limit = try limit.map(ReportPage.checked)
        let position = try cursor.map(CursorPosition.init)
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        let current = try model.answersFromCurrentState(window, tables: [.clientActivity], on: connection)
        var order = position?.order ?? "-Infinity"
        var after = position?.clientId
        // The dated facts are folded whole for every chunk: a large first one, so that one usually does.
        var chunk = limit.map { current ? $0 + 1 : max($0 + 1, 5_000) } ?? (current ? ReportPage.maximumLimit + 1 : nil)
        var clients: [Client] = []
        while limit.map({ clients.count <= $0 }) ?? true {
            let activity: SQL =
                current
                ? """
                SELECT client_id, registered_on, array_to_string(purchase_dates, ',') AS purchase_dates,
                       (SELECT string_agg(key || ':' || value, ',') FROM jsonb_each_text(ltv)) AS ltv, last_touch_on, ltv_order
                  FROM \(fragment: model.table(.clientActivity))
                 WHERE registered_on <= \(asOf)::date
                """
                : """
                WITH known AS (
                    SELECT DISTINCT ON (client_id) client_id, registered_on FROM \(fragment: model.table(.clients))
                     WHERE registered_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                     ORDER BY client_id, position DESC),
                orders AS (
                    SELECT client_id, placed_on, currency, amount FROM \(fragment: model.table(.orders))
                     WHERE placed_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz),
                purchases AS (
                    SELECT client_id, string_agg(DISTINCT placed_on::text, ',' ORDER BY placed_on::text) AS dates
                      FROM orders GROUP BY client_id),
                lifetime AS (
                    SELECT client_id, string_agg(currency || ':' || total, ',') AS ltv, max(total) AS largest
                      FROM (SELECT client_id, currency, sum(amount) AS total FROM orders GROUP BY 1, 2) l
                     GROUP BY client_id),
                touched AS (
                    SELECT client_id, max(occurred_on) AS last_touch_on FROM \(fragment: model.table(.touches))
                     WHERE occurred_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                     GROUP BY client_id)
                SELECT k.client_id, k.registered_on, p.dates AS purchase_dates, l.ltv, t.last_touch_on,
                       coalesce(-l.largest, 'Infinity') AS ltv_order
                  FROM known k
                  LEFT JOIN purchases p USING (client_id)
                  LEFT JOIN lifetime l USING (client_id)
                  LEFT JOIN touched t USING (client_id)
                """
            var fetched = 0
            try connection.forEachRow(
                """
                SELECT a.client_id, n.name, a.registered_on, a.purchase_dates, a.ltv, a.last_touch_on,
                       a.ltv_order::text AS ltv_order
                  FROM (SELECT * FROM (\(fragment: activity)) a
                         WHERE (ltv_order, client_id) > (\(order)::numeric, coalesce(\(after)::uuid, '00000000-0000-0000-0000-000000000000'))
                         ORDER BY ltv_order, client_id LIMIT \(chunk)) a
                  LEFT JOIN LATERAL (
                      SELECT name FROM \(fragment: model.table(.clients)) c
                       WHERE c.client_id = a.client_id AND c.registered_on <= \(asOf)::date
                         AND c.recorded_at <= \(knownAt)::timestamptz
                       ORDER BY c.position DESC LIMIT 1) n ON true
                 ORDER BY a.ltv_order, a.client_id
                """
            ) { row in
                fetched += 1
                // Past the page and the one client that tells there is a next page: nothing to read.
                guard limit.map({ clients.count <= $0 }) ?? true else { return }
                order = try row.decode("ltv_order")
                after = try row.decode("client_id") as UUID
                if let client = try client(row, window: window, thresholds: thresholds, keeping: reasons) {
                    clients.append(client)
                }
            }
            guard let size = chunk, fetched == size else { break }
            chunk = min(size * 2, ReportPage.maximumLimit * 4)
        }
        var next: String?
        if let limit, clients.count > limit {
            clients.removeLast(clients.count - limit)
            next = clients.last.map { ReportPage.cursor(after: $0.sortKey) }
        }
        try personalData.open(&clients, \.name, erased: \.nameErased, on: connection)
        return RetentionList(asOf: window.asOf, clients: clients, next: next)
    }

    /// The client of one row (`client_id`, `name`, `registered_on`, `purchase_dates` as
    /// comma-separated dates, `ltv` as comma-separated `currency:amount`, `last_touch_on`), or nil
    /// when there is no reason to act on it, or none of `kept` (unless `kept` is empty).
    private static func client(
        _ row: Row, window: ReportWindow, thresholds: Thresholds, keeping kept: Set<Reason>
    )
        throws -> Client?
    {
        let dates = (try row.decodeOptional("purchase_dates", as: String.self) ?? "").split(separator: ",")
            .compactMap { LocalDate(String($0)) }
        var ltv: [String: Int64] = [:]
        for part in (try row.decodeOptional("ltv", as: String.self) ?? "").split(separator: ",") {
            let pair = part.split(separator: ":")
            guard pair.count == 2 else { continue }
            guard let amount = Int64(pair[1]) else { throw ProjectionError.amountOverflow }
            ltv[String(pair[0])] = amount
        }
        let registeredOn = try row.date("registered_on")
        let lastTouchOn = try row.date("last_touch_on")
        let gaps = zip(dates, dates.dropFirst()).map { $0.days(until: $1) }.sorted()
        let median: Double? =
            gaps.isEmpty
            ? nil
            : gaps.count % 2 == 1
                ? Double(gaps[gaps.count / 2]) : Double(gaps[gaps.count / 2 - 1] + gaps[gaps.count / 2]) / 2
        let sinceLast = dates.last.map { $0.days(until: window.asOf) }
        var reasons: [Reason] = []
        if let median, let sinceLast, Double(sinceLast) > thresholds.rhythmFactor * median {
            reasons.append(.rhythmBroken)
        }
        if dates.count == 1, let sinceLast, sinceLast > thresholds.singlePurchaseDays {
            reasons.append(.singlePurchase)
        }
        if let registeredOn, registeredOn.days(until: window.asOf) > thresholds.untouchedDays,
            lastTouchOn.map({ $0.days(until: window.asOf) >= thresholds.untouchedDays }) ?? true
        {
            reasons.append(.untouched)
        }
        guard !reasons.isEmpty, kept.isEmpty || !kept.isDisjoint(with: reasons) else { return nil }
        return Client(
            clientId: try row.decode("client_id"), name: try row.decodeOptional("name"),
            reasons: reasons.map(\.rawValue),
            lastPurchaseOn: dates.last, medianIntervalDays: median, daysSinceLastPurchase: sinceLast,
            lastTouchOn: lastTouchOn, ltv: ltv)
    }

    /// The clients and the next cursor as the API's JSON object.
    public var json: JSONValue {
        .object([
            "asOf": .date(asOf),
            "clients": .array(
                clients.map { client in
                    .object(omittingNil: [
                        "clientId": .string(client.clientId.canonical),
                        "name": client.name.map(JSONValue.string) ?? .null,
                        "erasedFields": client.nameErased ? .array([.string("name")]) : nil,
                        "reasons": .array(client.reasons.map(JSONValue.string)),
                        "lastPurchaseOn": .date(client.lastPurchaseOn),
                        "medianIntervalDays": client.medianIntervalDays.map { .decimal($0, places: 1) } ?? .null,
                        "daysSinceLastPurchase": client.daysSinceLastPurchase.map { .integer($0) } ?? .null,
                        "lastTouchOn": .date(client.lastTouchOn), "ltv": .money(client.ltv),
                    ])
                }),
            "next": next.map(JSONValue.string) ?? .null,
        ])
    }
}

extension RetentionList {
    /// The client a cursor names, read back from its ``Client/sortKey`` as the current-state
    /// table's `ltv_order` (minus the largest lifetime value, `Infinity` without orders) and id.
    struct CursorPosition {
        var order: String
        var clientId: UUID

        init(_ cursor: String) throws {
            let parts = try ReportPage.key(of: cursor).split(separator: "|", omittingEmptySubsequences: false)
            switch (parts.first, parts.count) {
            case ("0", 3):
                guard let inverted = UInt64(parts[1]), inverted <= UInt64(Int64.max) else {
                    throw ReportPage.invalidCursor
                }
                order = String(-Int64(bitPattern: UInt64(Int64.max) - inverted))
            case ("1", 2):
                order = "Infinity"
            default:
                throw ReportPage.invalidCursor
            }
            guard let clientId = UUID(uuidString: String(parts[parts.count - 1])) else {
                throw ReportPage.invalidCursor
            }
            self.clientId = clientId
        }
    }
}
