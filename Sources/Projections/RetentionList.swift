import Foundation
import PQ
import Sales

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

    /// One client to act on.
    public struct Client: Sendable, Equatable {
        public var clientId: UUID
        public var name: String?
        /// In the order `rhythm-broken`, `single-purchase`, `untouched`.
        public var reasons: [String]
        public var lastPurchaseOn: LocalDate?
        public var medianIntervalDays: Double?
        public var daysSinceLastPurchase: Int?
        public var lastTouchOn: LocalDate?
        public var ltv: [String: Int64]

        /// Largest ltv amount descending, then `clientId`; clients without orders last.
        var sortKey: String {
            guard let largest = ltv.values.max() else { return "1|" + clientId.uuidString.lowercased() }
            let inverted = UInt64(bitPattern: Int64.max) - UInt64(bitPattern: largest)
            return "0|" + String(format: "%020llu", inverted) + "|" + clientId.uuidString.lowercased()
        }
    }

    public var asOf: LocalDate
    /// Every client to act on, in report order.
    public var clients: [Client]

    /// The whole list in `window`, from the live `retention` read model.
    public static func query(window: ReportWindow, thresholds: Thresholds = Thresholds(), on connection: Connection)
        throws -> RetentionList
    {
        let model = try ProjectionRegistry.live(.retention, on: connection)
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        var clients: [Client] = []
        try connection.forEachRow(
            """
            WITH known AS (
                SELECT DISTINCT ON (client_id) client_id, name, registered_on FROM \(fragment: model.table(.clients))
                 WHERE registered_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                 ORDER BY client_id, position DESC),
            orders AS (
                SELECT client_id, placed_on, currency, amount FROM \(fragment: model.table(.orders))
                 WHERE placed_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz),
            purchases AS (
                SELECT client_id, array_to_json(array_agg(DISTINCT placed_on ORDER BY placed_on))::text AS dates
                  FROM orders GROUP BY client_id),
            lifetime AS (
                SELECT client_id, json_object_agg(currency, total::text)::text AS ltv
                  FROM (SELECT client_id, currency, sum(amount) AS total FROM orders GROUP BY 1, 2) l
                 GROUP BY client_id),
            touched AS (
                SELECT client_id, max(occurred_on) AS last_touch_on FROM \(fragment: model.table(.touches))
                 WHERE occurred_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
                 GROUP BY client_id)
            SELECT k.client_id, k.name, k.registered_on, p.dates AS purchase_dates, l.ltv, t.last_touch_on
              FROM known k
              LEFT JOIN purchases p USING (client_id)
              LEFT JOIN lifetime l USING (client_id)
              LEFT JOIN touched t USING (client_id)
            """
        ) { row in
            let dates = try decodeJSON([String].self, row.decodeOptional("purchase_dates")).compactMap { LocalDate($0) }
            var ltv: [String: Int64] = [:]
            for (currency, total) in try decodeJSON([String: String].self, row.decodeOptional("ltv")) {
                guard let amount = Int64(total) else { throw ProjectionError.amountOverflow }
                ltv[currency] = amount
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
            var reasons: [String] = []
            if let median, let sinceLast, Double(sinceLast) > thresholds.rhythmFactor * median {
                reasons.append("rhythm-broken")
            }
            if dates.count == 1, let sinceLast, sinceLast > thresholds.singlePurchaseDays {
                reasons.append("single-purchase")
            }
            if let registeredOn, registeredOn.days(until: window.asOf) > thresholds.untouchedDays,
                lastTouchOn.map({ $0.days(until: window.asOf) >= thresholds.untouchedDays }) ?? true
            {
                reasons.append("untouched")
            }
            guard !reasons.isEmpty else { return }
            clients.append(
                Client(
                    clientId: try row.decode("client_id"), name: try row.decodeOptional("name"), reasons: reasons,
                    lastPurchaseOn: dates.last, medianIntervalDays: median, daysSinceLastPurchase: sinceLast,
                    lastTouchOn: lastTouchOn, ltv: ltv))
        }
        clients = clients.map { ($0.sortKey, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        return RetentionList(asOf: window.asOf, clients: clients)
    }

    private static func decodeJSON<T: Decodable & ExpressibleByDictionaryLiteral>(_ type: T.Type, _ text: String?)
        throws -> T
    {
        guard let text else { return [:] }
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    private static func decodeJSON<T: Decodable & ExpressibleByArrayLiteral>(_ type: T.Type, _ text: String?)
        throws -> T
    {
        guard let text else { return [] }
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// One page as the API's JSON object.
    public func json(limit: Int, cursor: String?) throws -> JSONValue {
        let (page, next) = try ReportPage.slice(clients, limit: limit, cursor: cursor, key: \.sortKey)
        return .object([
            "asOf": .date(asOf),
            "clients": .array(
                page.map { client in
                    .object([
                        "clientId": .string(client.clientId.uuidString.lowercased()),
                        "name": client.name.map(JSONValue.string) ?? .null,
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
