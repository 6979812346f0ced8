import Access
import EventStore
import Foundation
import HTTPTypes
import HexText
import HummingbirdTesting
import JSON
import PQ
import Recording
import Sales
import TestSupport
import Testing

@testable import Projections

/// Erasure of a client's personal data, through HTTP, on every surface: no personal value is ever
/// stored in plaintext, and after the erasure none can be read back, while every figure stays.
@Suite("Erasure of personal data")
struct PersonalDataErasureTests {
    static let (x, y) = ("00000000-0000-4000-8000-0000000000e1", "00000000-0000-4000-8000-0000000000e2")
    static let (dealX, lostX, dealY) = (
        "00000000-0000-4000-8000-00000000de01", "00000000-0000-4000-8000-00000000de02",
        "00000000-0000-4000-8000-00000000de03"
    )

    /// Records client X (every personal string holds "ZQ") and client Y (every one holds "KK").
    static func record(_ client: any TestClientProtocol, _ fixture: APIFixture) async throws {
        let sales = fixture.tokens[.sales]!
        let accountant = fixture.tokens[.accountant]!
        func post(_ path: String, _ token: String, _ json: String) async throws {
            let reply = try await client.send(.post, path, token: token, json: json)
            #expect(reply.status == 201, "\(path): \(reply.text)")
        }
        try await post(
            "/v1/clients", sales,
            #"""
            {"clientId":"\#(x)","name":"Zlatoust Quintessa ZQ-7741","kind":"person","email":"zq7741@example.test",
             "phone":"+7 900 774 1000","registeredOn":"2026-01-05"}
            """#)
        try await post(
            "/v1/clients", sales,
            #"{"clientId":"\#(y)","name":"Keeper Kim KK-2210","kind":"company","registeredOn":"2026-01-05"}"#)
        try await post(
            "/v1/clients/\(x)/touches", sales,
            #"""
            {"channel":"call","direction":"outbound","occurredAt":"2026-01-10T10:00:00Z",
             "summary":"ZQ secret summary","outcome":"ZQ outcome","nextStep":"ZQ next step"}
            """#)
        try await post(
            "/v1/deals", sales,
            #"""
            {"dealId":"\#(dealX)","clientId":"\#(x)","title":"ZQ deal title","amountMinor":100000,"currency":"RUB","openedOn":"2026-01-06"}
            """#)
        try await post(
            "/v1/deals/\(dealX)/objections", sales,
            #"{"category":"price","raisedOn":"2026-01-07","text":"ZQ objection words"}"#)
        try await post(
            "/v1/deals", sales,
            #"""
            {"dealId":"\#(lostX)","clientId":"\#(x)","title":"ZQ lost deal","amountMinor":5000,"currency":"RUB","openedOn":"2026-01-06"}
            """#)
        try await post(
            "/v1/deals/\(lostX)/lose", sales, #"{"lostOn":"2026-01-09","refusedBy":"client","reason":"ZQ lost reason"}"#
        )
        try await post(
            "/v1/deals", sales,
            #"""
            {"dealId":"\#(dealY)","clientId":"\#(y)","title":"KK deal title","amountMinor":7000,"currency":"RUB","openedOn":"2026-01-06"}
            """#)
        try await post(
            "/v1/clients/\(x)/orders", sales, #"{"placedOn":"2026-01-08","amountMinor":50000,"currency":"RUB"}"#)
        try await post(
            "/v1/invoices", accountant,
            #"""
            {"invoiceId":"00000000-0000-4000-8000-00000000e101","clientId":"\#(x)","number":"INV-1","issuedOn":"2026-01-08",
             "dueOn":"2026-01-20","amountMinor":30000,"currency":"RUB"}
            """#)
        try await post(
            "/v1/invoices/00000000-0000-4000-8000-00000000e101/credit-notes", accountant,
            #"{"issuedOn":"2026-01-09","amountMinor":1000,"reason":"ZQ credit reason"}"#)
        try await post(
            "/v1/invoices", accountant,
            #"""
            {"clientId":"\#(y)","number":"INV-2","issuedOn":"2026-01-08","dueOn":"2026-01-20","amountMinor":4000,"currency":"RUB"}
            """#)
    }

    /// X's personal strings (each with a space or a sign that base64, the sealed form, never holds).
    static let personalOfX = [
        "Zlatoust Quintessa", "zq7741@example", "+7 900 774", "ZQ secret summary", "ZQ outcome", "ZQ next step",
        "ZQ deal title", "ZQ objection words", "ZQ lost deal", "ZQ lost reason", "ZQ credit reason",
    ]

    /// X's name as the clients directory keeps it to search (lowercased, and its UTF-8 in hex for
    /// the index: the one plaintext a read model holds, until the erasure).
    static let searchableOfX = ["zlatoust quintessa zq-7741", ClientNameSearch.hex("zlatoust quintessa zq-7741")]

    /// Starts a rebuild of the directory that has filled its tables (names opened) but not swapped
    /// yet, as one running while an erasure comes in would have.
    static func startDirectoryRebuild(_ database: TestDatabase) async throws {
        try await database.pool.withConnection { connection in
            let head = try EventStore.safePosition(on: connection)
            try connection.transaction { connection in
                var generation = ProjectionGeneration(
                    name: Projection.directory.name, version: Projection.directory.version,
                    generation: try ProjectionRegistry.create(.directory, state: "rebuilding", on: connection),
                    position: 0)
                try ProjectionRegistry.apply(
                    .directory, to: &generation, upTo: head, personalData: database.personalData, on: connection)
            }
        }
    }

    /// The tables (schema-qualified) of the database any of whose rows holds one of `needles` as text.
    static func tablesHolding(_ needles: [String], _ database: TestDatabase) async throws -> [String] {
        try await database.pool.withConnection { connection in
            let tables: [(String, String)] = try connection.query(
                """
                SELECT table_schema, table_name FROM information_schema.tables
                 WHERE table_schema IN ('public', 'readmodels') AND table_type = 'BASE TABLE'
                """
            ).rows.map { (try $0.decode(0), try $0.decode(1)) }
            #expect(tables.count > 20)
            return try tables.filter { schema, table in
                let count: Int64 =
                    try connection.query(
                        """
                        SELECT count(*) FROM \(identifier: schema).\(identifier: table) AS t
                         WHERE t::text LIKE ANY(\(PQBinaryArray.text(needles.map { "%" + $0 + "%" }))::text[])
                        """
                    ).first?.decode(0) ?? 0
                return count > 0
            }.map { "\($0).\($1)" }
        }
    }

    static func members(_ value: JSONValue?) -> [String: JSONValue] { value?.objectValue ?? [:] }

    static func elements(_ value: JSONValue?) -> [JSONValue] {
        guard case .array(let elements)? = value else { return [] }
        return elements
    }

    /// The board's deal rows of the sales pipeline as of the end of January, by deal id.
    static func boardDeals(
        _ client: any TestClientProtocol, _ token: String
    ) async throws -> [String: [String: JSONValue]] {
        let board = try await client.send(.get, "/v1/pipelines/sales/board?asOf=2026-01-31", token: token)
        var deals: [String: [String: JSONValue]] = [:]
        for stage in Self.elements(board["stages"]) {
            for deal in members(stage).values.flatMap(elements) {
                deals[members(deal)["dealId"]?.stringValue ?? ""] = members(deal)
            }
        }
        return deals
    }

    @Test func erasureLeavesNoPersonalValueAnywhereAndMovesNoFigure() async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        try await fixture.run { client in
            try await Self.record(client, fixture)
            try await ReportRouteTests.catchUp(fixture)

            // Sealed from the first event on: no table, log or read model, holds a personal value.
            #expect(try await Self.tablesHolding(Self.personalOfX, fixture.database) == [])
            #expect(try await Self.tablesHolding(["Keeper Kim", "KK deal title"], fixture.database) == [])
            // But for the directory's lowercased names, in its live generation and in a rebuild's.
            let searchable = try await Self.tablesHolding(Self.searchableOfX, fixture.database)
            #expect(searchable.count == 1 && searchable.allSatisfy { $0.hasPrefix("readmodels.directory_v") })
            try await Self.startDirectoryRebuild(fixture.database)
            #expect(try await Self.tablesHolding(Self.searchableOfX, fixture.database).count == 2)
            let foundBefore = try await client.send(.get, "/v1/clients?q=QUINTESSA", token: admin)
            #expect(Self.elements(foundBefore["clients"]).map { Self.members($0)["clientId"] } == [.string(Self.x)])

            // Until the erasure every surface shows them.
            let before = try await client.send(.get, "/v1/clients/\(Self.x)/history?asOf=2026-12-31", token: admin)
            let registered = Self.members(Self.elements(before["events"]).first)
            #expect(Self.members(registered["data"])["name"] == .string("Zlatoust Quintessa ZQ-7741"))
            #expect(registered["erasedFields"] == nil)
            #expect(Self.members(before["state"])["name"] == .string("Zlatoust Quintessa ZQ-7741"))
            let boardBefore = try await Self.boardDeals(client, admin)
            #expect(boardBefore[Self.dealX]?["title"] == .string("ZQ deal title"))
            let agingBefore = try await client.send(.get, "/v1/receivables/aging?asOf=2026-03-01", token: admin)
            #expect(agingBefore.text.contains("Zlatoust Quintessa ZQ-7741"))
            let retentionBefore = try await client.send(.get, "/v1/retention?asOf=2026-04-30", token: admin)
            #expect(retentionBefore.text.contains("Zlatoust Quintessa ZQ-7741"))
            let funnelBefore = try await client.send(
                .get, "/v1/funnel?from=2026-01-01&to=2026-01-31&asOf=2026-01-31", token: admin)
            #expect(funnelBefore.text.contains("ZQ lost reason"))

            // Who may erase, and what.
            let bySales = try await client.send(
                .delete, "/v1/clients/\(Self.x)/personal-data", token: fixture.tokens[.sales]!)
            #expect(bySales.status == 403 && bySales.isProblem)
            let unknown = try await client.send(.delete, "/v1/clients/\(UUID().canonical)/personal-data", token: admin)
            #expect(unknown.status == 404 && unknown.isProblem)
            let eventsBefore = try await fixture.eventCount()

            let erased = try await client.send(.delete, "/v1/clients/\(Self.x)/personal-data", token: admin)
            #expect(erased.status == 200, "\(erased.text)")
            #expect(erased["clientId"] == .string(Self.x))
            // Registration, touch, two deal openings, objection, loss, credit note.
            #expect(erased["events"] == .integer(7))
            #expect(Instant(erased.string("erasedAt")) != nil)
            #expect(try await fixture.eventCount() == eventsBefore + 1)
            let again = try await client.send(.delete, "/v1/clients/\(Self.x)/personal-data", token: admin)
            #expect(again.status == 200 && again.json == erased.json)
            #expect(try await fixture.eventCount() == eventsBefore + 1)
            try await ReportRouteTests.catchUp(fixture)

            // History and feed: null plus erasedFields; the erasure is an event of the history.
            let after = try await client.send(.get, "/v1/clients/\(Self.x)/history?asOf=2026-12-31", token: admin)
            let events = Self.elements(after["events"])
            let first = Self.members(events.first)
            #expect(Self.members(first["data"])["name"] == .null)
            #expect(Self.members(first["data"])["kind"] == .string("person"))
            #expect(first["erasedFields"] == .array([.string("email"), .string("name"), .string("phone")]))
            #expect(Self.members(events.last)["type"] == .string("ClientPersonalDataErased"))
            #expect(Self.members(events.last)["actor"] == .string("admin:admin-tester"))
            #expect(Self.members(after["state"])["name"] == .null)
            #expect(
                after["state"] != nil
                    && Self.members(after["state"])["balanceOwed"] == Self.members(before["state"])["balanceOwed"])
            #expect(!after.text.contains("ZQ"))
            let touch = events.map(Self.members).first { $0["type"] == .string("TouchRecorded") } ?? [:]
            #expect(touch["erasedFields"] == .array([.string("nextStep"), .string("outcome"), .string("summary")]))
            let order = events.map(Self.members).first { $0["type"] == .string("OrderPlaced") } ?? [:]
            #expect(order["erasedFields"] == nil && Self.members(order["data"])["amountMinor"] == .integer(50000))
            let feed = try await client.send(.get, "/v1/events?after=0&limit=1000", token: admin)
            #expect(
                !feed.text.contains("ZQ") && feed.text.contains("Keeper Kim KK-2210")
                    && feed.text.contains("erasedFields"))
            let keptHistory = try await client.send(.get, "/v1/clients/\(Self.y)/history", token: admin)
            #expect(Self.members(keptHistory["state"])["name"] == .string("Keeper Kim KK-2210"))

            // The directory: no generation holds the name; listed with a null name, found by nothing.
            #expect(try await Self.tablesHolding(Self.searchableOfX, fixture.database) == [])
            for q in ["quintessa", "zq", "z"] {
                let found = try await client.send(.get, "/v1/clients?q=\(q)", token: admin)
                #expect(found.status == 200 && Self.elements(found["clients"]).isEmpty, "q=\(q)")
            }
            let listed = try await client.send(.get, "/v1/clients", token: admin)
            let rows = Self.elements(listed["clients"]).map(Self.members)
            #expect(rows.map { $0["clientId"] } == [.string(Self.y), .string(Self.x)], "erased clients come last")
            #expect(rows.last?["name"] == .null && rows.last?["erasedFields"] == .array([.string("name")]))
            #expect(rows.last?["openDeals"] == .integer(1) && rows.last?["kind"] == .string("person"))
            #expect(!listed.text.contains("ZQ") && !listed.text.contains("zq"))
            let one = try await client.send(.get, "/v1/clients/\(Self.x)", token: admin)
            #expect(one.status == 200 && one["name"] == .null && Self.members(one["state"])["name"] == .null)

            // Reports: the same figures, names and texts null with erasedFields.
            let boardAfter = try await Self.boardDeals(client, admin)
            #expect(boardAfter[Self.dealX]?["title"] == .null)
            #expect(boardAfter[Self.dealX]?["erasedFields"] == .array([.string("title")]))
            #expect(boardAfter[Self.dealY]?["title"] == .string("KK deal title"))
            for (deal, row) in boardBefore {
                var unchanged = boardAfter[deal] ?? [:]
                unchanged["title"] = row["title"]
                unchanged["erasedFields"] = nil
                #expect(unchanged == row)
            }
            let agingAfter = try await client.send(.get, "/v1/receivables/aging?asOf=2026-03-01", token: admin)
            #expect(agingAfter["totals"] == agingBefore["totals"])
            let agingRow = (Self.elements(agingAfter["clients"])).map(Self.members).first {
                $0["clientId"] == .string(Self.x)
            }
            #expect(agingRow?["name"] == .null && agingRow?["erasedFields"] == .array([.string("name")]))
            #expect(agingRow?["totalMinor"] == .integer(29000))
            let csv = try await client.send(
                .get, "/v1/receivables/aging?asOf=2026-03-01", token: admin, headers: [("Accept", "text/csv")])
            #expect(csv.status == 200 && !csv.text.contains("ZQ") && csv.text.contains("Keeper Kim KK-2210"))
            #expect(csv.text.contains("\(Self.x),,RUB,29000,"))
            let retentionAfter = try await client.send(.get, "/v1/retention?asOf=2026-04-30", token: admin)
            #expect(!retentionAfter.text.contains("ZQ") && retentionAfter.text.contains("Keeper Kim KK-2210"))
            let retentionRow = (Self.elements(retentionAfter["clients"])).map(Self.members).first {
                $0["clientId"] == .string(Self.x)
            }
            #expect(retentionRow?["name"] == .null && retentionRow?["erasedFields"] == .array([.string("name")]))
            #expect(retentionRow?["reasons"] == .array([.string("single-purchase"), .string("untouched")]))
            let funnelAfter = try await client.send(
                .get, "/v1/funnel?from=2026-01-01&to=2026-01-31&asOf=2026-01-31", token: admin)
            #expect(!funnelAfter.text.contains("ZQ") && funnelAfter.text.contains(#""erasedFields":["reason"]"#))
            #expect(
                funnelAfter.text.replacingOccurrences(of: #""erasedFields":["reason"],"#, with: "")
                    .replacingOccurrences(of: #""reason":null"#, with: #""reason":"ZQ lost reason""#)
                    == funnelBefore.text)

            // A full rebuild of every read model brings nothing back.
            let outcomes = try await fixture.database.pool.withConnection { connection in
                try ProjectionRebuild(
                    projections: Projection.all, personalData: fixture.database.personalData,
                    logger: TestDatabase.logger
                ).run(on: connection)
            }
            #expect(outcomes.count == Projection.all.count)
            // Live equals rebuild, the directory's cleared name included.
            #expect(outcomes.allSatisfy { if case .swapped(_, _, true) = $0 { true } else { false } }, "\(outcomes)")
            let rebuilt = try await client.send(.get, "/v1/receivables/aging?asOf=2026-03-01", token: admin)
            #expect(rebuilt.json == agingAfter.json)
            #expect(try await Self.tablesHolding(Self.personalOfX + Self.searchableOfX, fixture.database) == [])
            let relisted = try await client.send(.get, "/v1/clients", token: admin)
            #expect(relisted.json == listed.json)
            let keys = try await fixture.database.pool.withConnection { connection in
                try fixture.database.personalData.keyIDs(ofClient: UUID(uuidString: Self.x)!, on: connection)
            }
            #expect(keys.isEmpty)
        }
    }

    @Test func personalDataRecordedAfterAnErasureIsReadableAndErasedByTheNextCall() async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        let sales = fixture.tokens[.sales]!
        try await fixture.run { client in
            try await Self.record(client, fixture)
            let first = try await client.send(.delete, "/v1/clients/\(Self.x)/personal-data", token: admin)
            #expect(first.status == 200)
            let touch = try await client.send(
                .post, "/v1/clients/\(Self.x)/touches", token: sales,
                json:
                    #"{"channel":"email","direction":"inbound","occurredAt":"2026-02-01T08:00:00Z","summary":"ZQ later"}"#
            )
            #expect(touch.status == 201)
            let history = try await client.send(.get, "/v1/clients/\(Self.x)/history?asOf=2026-12-31", token: admin)
            #expect(history.text.contains("ZQ later"))
            let second = try await client.send(.delete, "/v1/clients/\(Self.x)/personal-data", token: admin)
            #expect(second.status == 200 && second["events"] == .integer(1) && second.json != first.json)
            let third = try await client.send(.delete, "/v1/clients/\(Self.x)/personal-data", token: admin)
            #expect(third.json == second.json)
            let erased = try await client.send(.get, "/v1/clients/\(Self.x)/history?asOf=2026-12-31", token: admin)
            #expect(!erased.text.contains("ZQ"))
        }
    }

    /// This process seals with the keys it keeps in memory; an erasure made by another process
    /// (which this one does not hear of) deleted the key: the append refuses it, and the command is
    /// sealed with a new key, readable until the next erasure.
    @Test func aKeyErasedByAnotherProcessIsNotSealedWithAgain() async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        let sales = fixture.tokens[.sales]!
        let client = UUID(uuidString: Self.x)!
        try await fixture.run { client in try await Self.record(client, fixture) }
        let keptKey = try #require(fixture.database.personalData.keptSealingKeys(for: [client])?[client]?.id)
        let elsewhere = ConnectionPool(conninfo: fixture.database.url, size: 2, logger: TestDatabase.logger)
        defer { elsewhere.close() }
        let erased = try await ClientErasure(
            store: EventStore(pool: elsewhere, logger: TestDatabase.logger),
            personalData: PersonalDataKeys(masterKeys: fixture.database.personalData.masterKeys)
        ).erase(client, actor: "cli:elsewhere")
        #expect(erased.events > 0)
        // Still kept here: only the append can tell.
        #expect(fixture.database.personalData.keptSealingKeys(for: [client])?[client]?.id == keptKey)
        try await fixture.run { client in
            // On the deal's stream, which the erasure did not move: no version conflict warns.
            let objection = try await client.send(
                .post, "/v1/deals/\(Self.dealX)/objections", token: sales,
                json: #"{"category":"not-now","raisedOn":"2026-02-02","text":"ZQ raised after"}"#)
            #expect(objection.status == 201, "\(objection.text)")
            let history = try await client.send(.get, "/v1/clients/\(Self.x)/history?asOf=2026-12-31", token: admin)
            #expect(history.text.contains("ZQ raised after"))
            #expect(!history.text.contains("ZQ objection words"))
        }
        let keys = try await fixture.database.pool.withConnection { connection in
            try fixture.database.personalData.keyIDs(ofClient: client, on: connection)
        }
        #expect(keys.count == 1 && keys.first != keptKey)
        #expect(fixture.database.personalData.keptSealingKeys(for: [client])?[client]?.id == keys.first)
    }
}
