public import Access
public import Foundation
import HexText
public import JSON
public import PQ
public import Sales

/// The clients directory: clients found by any part of their name, from the live `directory`
/// read model.
///
/// A name is searched in its lowercased form (``ClientNameSearch/searchable(_:)``), which the
/// runner keeps beside the sealed name; `q` is lowercased the same way and matched as a substring
/// (`LIKE`, narrowed first by the trigram index on the name's hex form). Rows are ordered by the code point order of the
/// lowercased name, then `clientId`; erased clients (no search name) come last and never match
/// `q`. `lastTouchOn` and `openDeals` are as of `today` (UTC): the latest touch dated on or before
/// it, and the deals opened on or before it and not won or lost on or before it.
public struct ClientDirectory: Sendable, Equatable {
    /// The longest `q` accepted, in characters.
    public static let maximumQueryLength = 200
    /// The most rows one page holds.
    public static let maximumLimit = 1_000
    /// Rows per page when `limit` is not given.
    public static let defaultLimit = 50

    /// What the directory is filtered on; every part is optional.
    public struct Filter: Sendable, Equatable {
        /// Lowercased `q`, or nil for every client.
        public let query: String?
        /// `warm` or `cold`.
        public let temperature: String?
        /// The registration's `source`, exactly.
        public let source: String?

        /// A filter from the query parameters (an empty `q` is no `q`).
        /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for a `q` over
        ///   ``ClientDirectory/maximumQueryLength`` characters or a temperature that is not one.
        public init(q: String? = nil, temperature: String? = nil, source: String? = nil) throws {
            if let q, q.count > ClientDirectory.maximumQueryLength {
                throw ProjectionError.invalidParameter(
                    field: "q", message: "must be at most \(ClientDirectory.maximumQueryLength) characters")
            }
            if let temperature, Temperature(rawValue: temperature) == nil {
                throw ProjectionError.invalidParameter(
                    field: "temperature",
                    message: "must be one of \(Temperature.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query = q.flatMap { $0.isEmpty ? nil : ClientNameSearch.searchable($0) }
            self.temperature = temperature
            self.source = source
        }
    }

    /// One client of the directory.
    public struct Entry: Sendable, Equatable {
        public var clientId: UUID
        /// The client's name; nil once its personal data is erased.
        public var name: String?
        /// Whether the name was erased (`erasedFields: ["name"]`).
        public var nameErased = false
        public var kind: String
        public var temperature: String?
        public var source: String?
        public var registeredOn: LocalDate?
        /// The latest touch dated on or before today.
        public var lastTouchOn: LocalDate?
        /// Deals opened on or before today and not closed on or before it.
        public var openDeals: Int
        /// The lowercased name the rows are ordered by (nil when erased).
        var searchName: String?

        /// The row as the API answers it.
        public var json: JSONValue {
            .object(omittingNil: [
                "clientId": .string(clientId.canonical), "name": .string(orNull: name),
                "erasedFields": nameErased ? .array([.string("name")]) : nil,
                "kind": .string(kind), "temperature": .string(orNull: temperature), "source": .string(orNull: source),
                "registeredOn": .date(registeredOn), "lastTouchOn": .date(lastTouchOn),
                "openDeals": .integer(Int64(openDeals)),
            ])
        }

        /// The page key of this row: `n`, id, lowercased name; or `e` and id for an erased one.
        var cursorKey: String {
            guard let searchName else { return "e" + clientId.canonical }
            return "n" + clientId.canonical + searchName
        }
    }

    /// The page's clients.
    public var clients: [Entry]
    /// The cursor of the next page, nil on the last.
    public var next: String?

    /// A page of `clients`, followed by the page `next` names.
    public init(clients: [Entry], next: String?) {
        self.clients = clients
        self.next = next
    }

    /// `{"clients": [rows], "next"}`.
    public var json: JSONValue {
        .object(["clients": .array(clients.map(\.json)), "next": .string(orNull: next)])
    }

    /// The page after `cursor` of at most `limit` clients that `filter` keeps.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for a `limit` out of
    ///   1…``maximumLimit`` or a cursor this report did not give.
    public static func query(
        _ filter: Filter, limit: Int = defaultLimit, cursor: String? = nil, today: LocalDate = Instant(Date()).utcDate,
        personalData: PersonalDataKeys, on connection: Connection
    ) throws -> ClientDirectory {
        try query(
            filter, limit: limit, cursor: cursor, today: today, sortingAtMost: sortedMatchesLimit,
            personalData: personalData, on: connection)
    }

    /// The page, with the matches of a `q` sorted when at most `sortingAtMost` rows match (tests
    /// take both ways on few clients).
    static func query(
        _ filter: Filter, limit: Int, cursor: String?, today: LocalDate, sortingAtMost: Int,
        personalData: PersonalDataKeys, on connection: Connection
    ) throws -> ClientDirectory {
        let limit = try ReportPage.checked(limit: limit, maximum: maximumLimit)
        var conditions: SQL = "TRUE"
        if let temperature = filter.temperature { conditions.append(" AND c.temperature = \(temperature)") }
        if let source = filter.source { conditions.append(" AND c.source = \(source)") }
        if let cursor { conditions.append(try after(cursor)) }
        var entries: [Entry]
        if let query = filter.query {
            // The index narrows by the hex form; the name itself decides.
            conditions.append(
                " AND c.search_hex LIKE \("%" + ClientNameSearch.hex(query) + "%") AND c.search_name LIKE \(pattern(containing: query))"
            )
            entries =
                try rows(matching: conditions, atMost: sortingAtMost, limit: limit + 1, today: today, on: connection)
                ?? rows(where: conditions, limit: limit + 1, today: today, on: connection)
        } else {
            entries = try rows(where: conditions, limit: limit + 1, today: today, on: connection)
        }
        var next: String?
        if entries.count > limit {
            entries.removeLast()
            next = entries.last.map { ReportPage.cursor(after: $0.cursorKey) }
        }
        try personalData.open(&entries, \.name, erased: \.nameErased, on: connection)
        return ClientDirectory(clients: entries, next: next)
    }

    /// `client`'s row as of `today`, or nil for a client the read model does not know.
    public static func entry(
        _ client: UUID, today: LocalDate = Instant(Date()).utcDate, personalData: PersonalDataKeys,
        on connection: Connection
    ) throws -> Entry? {
        var entries = try rows(where: "c.client_id = \(client)", limit: 1, today: today, on: connection)
        try personalData.open(&entries, \.name, erased: \.nameErased, on: connection)
        return entries.first
    }

    /// The most matches of a `q` sorted by name after the trigram index found them; a `q` that
    /// matches more walks the name index in order instead (see ``rows(matching:atMost:limit:today:on:)``).
    static let sortedMatchesLimit = 10_000

    /// The rows of the live generation that `conditions` keep, in directory order, names sealed,
    /// found by walking the name index in order: quick when many rows match (or none is filtered
    /// out), slow for a rare `q`, whose matches may lie far apart in name order.
    private static func rows(
        where conditions: SQL, limit: Int, today: LocalDate, on connection: Connection
    ) throws
        -> [Entry]
    {
        let model = try ProjectionRegistry.live(.directory, on: connection)
        return try connection.query(
            """
            SELECT \(fragment: figures(model, today: today))
              FROM \(fragment: model.table(.clientNames)) c
             WHERE \(fragment: conditions) AND \(fragment: latestRegistration(model))
             ORDER BY c.search_name COLLATE "C", c.client_id
             LIMIT \(Int64(limit))
            """
        ).rows.map(decodedEntry)
    }

    /// The rows `conditions` (a `q` among them) keep, as ``rows(where:limit:today:on:)`` answers
    /// them, found through the trigram index and then sorted: quick for a rare `q`. Nil when more
    /// than `sortingAtMost` rows match, where sorting them all would cost more than the walk.
    private static func rows(
        matching conditions: SQL, atMost sortingAtMost: Int, limit: Int, today: LocalDate, on connection: Connection
    ) throws
        -> [Entry]?
    {
        let model = try ProjectionRegistry.live(.directory, on: connection)
        // Only the sort keys are sorted; the page's rows are read again by client and position.
        let result = try connection.query(
            """
            WITH matches AS MATERIALIZED (
                SELECT c.client_id, c.position, c.search_name FROM \(fragment: model.table(.clientNames)) c
                 WHERE \(fragment: conditions)
                 LIMIT \(Int64(sortingAtMost + 1)))
            SELECT m.over, p.* FROM (SELECT count(*) > \(Int64(sortingAtMost)) AS over FROM matches) m
              LEFT JOIN LATERAL (
                SELECT \(fragment: figures(model, today: today))
                  FROM (SELECT * FROM matches ORDER BY search_name COLLATE "C", client_id) k
                  JOIN \(fragment: model.table(.clientNames)) c ON c.client_id = k.client_id AND c.position = k.position
                 WHERE NOT m.over AND \(fragment: latestRegistration(model))
                 ORDER BY k.search_name COLLATE "C", k.client_id
                 LIMIT \(Int64(limit))) p ON true
            """
        )
        guard let first = result.first, !(try first.decode("over") as Bool) else { return nil }
        return try result.rows.filter { try $0.decodeOptional("client_id", as: UUID.self) != nil }.map(decodedEntry)
    }

    /// The columns of a row `c` of the directory's names, its figures as of `today` among them.
    private static func figures(_ model: ProjectionGeneration, today: LocalDate) -> SQL {
        let day = today.description
        return """
            c.client_id, c.name, c.kind, c.temperature, c.source, c.registered_on, c.search_name,
            (SELECT max(t.occurred_on) FROM \(fragment: model.table(.touches)) t
              WHERE t.client_id = c.client_id AND t.occurred_on <= \(day)::date) AS last_touch_on,
            (SELECT count(*) FROM \(fragment: model.table(.clientDeals)) d
              WHERE d.client_id = c.client_id AND d.opened_on <= \(day)::date
                AND NOT EXISTS (SELECT 1 FROM \(fragment: model.table(.closes)) x
                                 WHERE x.deal_id = d.deal_id AND x.closed_on <= \(day)::date)) AS open_deals
            """
    }

    /// Keeps a row `c` only if it is its client's latest registration: a client registered twice
    /// (the log allows it, the commands do not) counts by its latest.
    private static func latestRegistration(_ model: ProjectionGeneration) -> SQL {
        """
        NOT EXISTS (SELECT 1 FROM \(fragment: model.table(.clientNames)) r
                     WHERE r.client_id = c.client_id AND r.position > c.position)
        """
    }

    /// A row of the directory's names with its figures, its name still sealed.
    private static func decodedEntry(_ row: Row) throws -> Entry {
        Entry(
            clientId: try row.decode("client_id"), name: try row.decodeOptional("name"),
            kind: try row.decode("kind"), temperature: try row.decodeOptional("temperature"),
            source: try row.decodeOptional("source"), registeredOn: try row.date("registered_on"),
            lastTouchOn: try row.date("last_touch_on"), openDeals: Int(try row.decode("open_deals") as Int64),
            searchName: try row.decodeOptional("search_name"))
    }

    /// A `LIKE` pattern matching any text that contains `text` (its `\`, `%` and `_` escaped).
    static func pattern(containing text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }

    /// The condition keeping the rows after the one `cursor` names (erased rows, which sort
    /// last, after every named one).
    private static func after(_ cursor: String) throws -> SQL {
        let key = try ReportPage.key(of: cursor)
        guard let kind = key.first, key.count >= 37, let client = UUID(uuidString: String(key.dropFirst().prefix(36)))
        else { throw ReportPage.invalidCursor }
        let name = String(key.dropFirst(37))
        switch kind {
        case "n":
            return """
                 AND ((c.search_name COLLATE "C", c.client_id) > (\(name)::text COLLATE "C", \(client)::uuid) \
                OR c.search_name IS NULL)
                """
        case "e" where name.isEmpty:
            return " AND c.search_name IS NULL AND c.client_id > \(client)::uuid"
        default:
            throw ReportPage.invalidCursor
        }
    }
}
