import Access
import Foundation
import HTTPTypes
import HummingbirdTesting
import JSON
import PQ
import Projections
import Sales
import TestSupport
import Testing

/// The report routes through HTTP, on a small story recorded with the command routes whose
/// answers are worked out by hand (dates and amounts in the comments).
@Suite("Report routes")
struct ReportRouteTests {
    static let (a, b, c) = (
        "00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000b1",
        "00000000-0000-4000-8000-0000000000c1"
    )
    static let (d1, d2, d3, d4, d5) = (
        "00000000-0000-4000-8000-0000000000d1", "00000000-0000-4000-8000-0000000000d2",
        "00000000-0000-4000-8000-0000000000d3", "00000000-0000-4000-8000-0000000000d4",
        "00000000-0000-4000-8000-0000000000d5"
    )
    static let (a1, a2, a3, a4, b1, b2, c1) = (
        "00000000-0000-4000-8000-00000000a001", "00000000-0000-4000-8000-00000000a002",
        "00000000-0000-4000-8000-00000000a003", "00000000-0000-4000-8000-00000000a004",
        "00000000-0000-4000-8000-00000000b001", "00000000-0000-4000-8000-00000000b002",
        "00000000-0000-4000-8000-00000000c001"
    )

    /// JSON text parsed, for comparing whole answers.
    static func parse(_ text: String) -> JSONValue {
        do { return try JSONValue(parsing: Data(text.utf8)) } catch {
            Issue.record("bad expected JSON: \(error)\n\(text)")
            return .null
        }
    }

    /// Records the story; returns the `recordedAt` of the last event before the back-dated payment.
    static func record(_ client: any TestClientProtocol, admin: String) async throws -> String {
        func post(_ path: String, _ json: String) async throws -> Reply {
            let reply = try await client.send(.post, path, token: admin, json: json)
            #expect(reply.status == 201, "\(path): \(reply.text)")
            return reply
        }
        // Clients: A (a comma in its name, for the CSV), B, C registered 2026-03-20.
        _ = try await post(
            "/v1/clients", #"{"clientId":"\#(a)","name":"Alfa, Ltd","kind":"company","registeredOn":"2026-01-01"}"#)
        _ = try await post(
            "/v1/clients", #"{"clientId":"\#(b)","name":"Beta","kind":"company","registeredOn":"2026-01-01"}"#)
        _ = try await post(
            "/v1/clients", #"{"clientId":"\#(c)","name":"Gamma","kind":"person","registeredOn":"2026-03-20"}"#)
        // Invoices, all RUB, due dates on the bucket edges as of 2026-04-30.
        for (id, clientId, number, issued, due, amount) in [
            (a1, a, "A-1", "2026-01-01", "2026-03-31", 10_000),  // 30 days overdue: 1-30
            (a2, a, "A-2", "2026-01-01", "2026-04-30", 5_000),  // 0 days: current
            (a3, a, "A-3", "2026-01-01", "2026-03-01", 4_000),  // 60 days: 31-60
            (a4, a, "A-4", "2026-01-01", "2026-01-30", 3_000),  // 90 days: 61-90
            (b1, b, "B-1", "2026-01-01", "2026-01-29", 7_000),  // 91 days: 90+
            (b2, b, "B-2", "2026-01-01", "2026-01-15", 6_000),  // written off
            (c1, c, "C-1", "2026-03-20", "2026-04-19", 7_000),  // 11 days: 1-30
        ] {
            _ = try await post(
                "/v1/invoices",
                #"{"invoiceId":"\#(id)","clientId":"\#(clientId)","number":"\#(number)","issuedOn":"\#(issued)","dueOn":"\#(due)","amountMinor":\#(amount),"currency":"RUB"}"#
            )
        }
        let partial = try await post(
            "/v1/payments",
            #"{"clientId":"\#(a)","receivedOn":"2026-02-01","amountMinor":1500,"currency":"RUB","allocations":[{"invoiceId":"\#(a3)","amountMinor":1500}]}"#
        )
        #expect(partial["allocations"] == parse(#"[{"invoiceId":"\#(a3)","amountMinor":1500}]"#))
        _ = try await post(
            "/v1/invoices/\(a4)/credit-notes", #"{"issuedOn":"2026-03-15","amountMinor":1000,"reason":"damaged"}"#)
        _ = try await post("/v1/invoices/\(b2)/write-off", #"{"writtenOffOn":"2026-02-01","reason":"bankrupt"}"#)
        // B pays in USD with no USD invoice: all of it is unapplied credit.
        let unapplied = try await post(
            "/v1/payments", #"{"clientId":"\#(b)","receivedOn":"2026-02-10","amountMinor":800,"currency":"USD"}"#)
        #expect(unapplied["allocations"] == .array([]))

        // Deals of the default pipeline, all opened in April 2026.
        for (id, clientId, title, amount, currency, opened) in [
            (d1, a, "Alpha deal", 50_000, "RUB", "2026-04-01"), (d2, b, "Beta deal", 20_000, "RUB", "2026-04-10"),
            (d3, c, "Gamma deal", 3_000, "USD", "2026-04-20"), (d4, a, "Won deal", 1_000, "RUB", "2026-04-02"),
            (d5, b, "Lost deal", 2_000, "RUB", "2026-04-03"),
        ] {
            _ = try await post(
                "/v1/deals",
                #"{"dealId":"\#(id)","clientId":"\#(clientId)","title":"\#(title)","amountMinor":\#(amount),"currency":"\#(currency)","openedOn":"\#(opened)"}"#
            )
        }
        for (stage, day) in [
            ("qualified", "2026-04-05"), ("contact", "2026-04-06"), ("needs", "2026-04-08"), ("offer", "2026-04-10"),
            ("objections", "2026-04-12"),
        ] {
            _ = try await post("/v1/deals/\(d1)/stage", #"{"stage":"\#(stage)","movedOn":"\#(day)"}"#)
        }
        _ = try await post(
            "/v1/deals/\(d1)/offers", #"{"amountMinor":45000,"currency":"RUB","offeredOn":"2026-04-10"}"#)
        _ = try await post("/v1/deals/\(d1)/objections", #"{"category":"price","raisedOn":"2026-04-12"}"#)
        let handled = try await post("/v1/deals/\(d1)/objections", #"{"category":"no-budget","raisedOn":"2026-04-13"}"#)
        _ = try await post(
            "/v1/deals/\(d1)/objections/\(handled.string("objectionId"))/outcome",
            #"{"handledOn":"2026-04-14","resolved":true}"#)
        _ = try await post(
            "/v1/clients/\(a)/touches",
            #"{"channel":"call","direction":"outbound","occurredAt":"2026-04-20T10:00:00Z","dealId":"\#(d1)"}"#)
        _ = try await post("/v1/deals/\(d4)/stage", #"{"stage":"qualified","movedOn":"2026-04-03"}"#)
        _ = try await post("/v1/deals/\(d4)/win", #"{"wonOn":"2026-04-08"}"#)
        _ = try await post("/v1/deals/\(d5)/objections", #"{"category":"price","raisedOn":"2026-04-04"}"#)
        _ = try await post(
            "/v1/deals/\(d5)/lose", #"{"lostOn":"2026-04-06","refusedBy":"client","reason":"too expensive"}"#)

        // Orders: A on three dates (gaps 11 and 20 days), one of them also in USD; B once.
        for (clientId, day, amount, currency) in [
            (a, "2026-01-10", 1_000, "RUB"), (a, "2026-01-21", 2_000, "RUB"), (a, "2026-01-21", 500, "USD"),
            (a, "2026-02-10", 3_000, "RUB"), (b, "2026-02-01", 9_000, "RUB"),
        ] {
            _ = try await post(
                "/v1/clients/\(clientId)/orders",
                #"{"placedOn":"\#(day)","amountMinor":\#(amount),"currency":"\#(currency)"}"#)
        }
        let feed = try await client.send(.get, "/v1/events?after=0&limit=1000", token: admin)
        guard case .array(let events)? = feed["events"], let last = events.last?.objectValue?["recordedAt"]?.stringValue
        else {
            Issue.record("no events in the feed: \(feed.text)")
            return ""
        }
        // Recorded later, dated back: 1000 of A-1 paid on 2026-02-15.
        _ = try await post(
            "/v1/payments",
            #"{"clientId":"\#(a)","receivedOn":"2026-02-15","amountMinor":1000,"currency":"RUB","allocations":[{"invoiceId":"\#(a1)","amountMinor":1000}]}"#
        )
        return last
    }

    /// Runs `body` with a client of a fixture where the story is recorded and every read model
    /// has caught up with it.
    static func onTheStory(
        _ body: @escaping @Sendable (any TestClientProtocol, APIFixture) async throws -> Void
    ) async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        try await fixture.run { client in
            _ = try await record(client, admin: admin)
            try await catchUp(fixture)
            try await body(client, fixture)
        }
    }

    /// Runs every projection until it has applied every committed event.
    static func catchUp(_ fixture: APIFixture) async throws {
        try await fixture.database.pool.withConnection { connection in
            for projection in Projection.all {
                while try ProjectionRegistry.applyNextBatch(
                    projection, batchSize: 7, personalData: fixture.database.personalData, on: connection) > 0
                {}
            }
        }
    }

    /// Whether a generation of `projection` after `generation` goes live within 30 s.
    static func swapsIn(_ projection: Projection, after generation: Int, _ fixture: APIFixture) async throws -> Bool {
        for _ in 0..<300 {
            let live = try await fixture.database.pool.withConnection { connection in
                try ProjectionRegistry.live(projection, on: connection).generation
            }
            if live > generation { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static func buckets(_ values: [Int], labels: [String] = ["current", "1-30", "31-60", "61-90", "90+"]) -> String {
        "{" + zip(labels, values).map { #""\#($0)":\#($1)"# }.joined(separator: ",") + "}"
    }

    static func agingRow(
        _ clientId: String, _ name: String, _ currency: String, _ values: [Int], unapplied: Int = 0
    )
        -> String
    {
        #"{"clientId":"\#(clientId)","name":"\#(name)","currency":"\#(currency)","totalMinor":\#(values.reduce(0, +)),"buckets":\#(buckets(values)),"unappliedCreditMinor":\#(unapplied)}"#
    }

    static func agingTotals(_ rub: [Int], usdUnapplied: Int = 800) -> String {
        #"[{"currency":"RUB","totalMinor":\#(rub.reduce(0, +)),"buckets":\#(buckets(rub)),"unappliedCreditMinor":0},{"currency":"USD","totalMinor":0,"buckets":\#(buckets([0, 0, 0, 0, 0])),"unappliedCreditMinor":\#(usdUnapplied)}]"#
    }

    static let labels = #"["current","1-30","31-60","61-90","90+"]"#

    @Test func agingAnswersTheStoryExactly() async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        let accountant = fixture.tokens[.accountant]!
        try await fixture.run { client in
            let knownAt = try await Self.record(client, admin: admin)
            try await Self.catchUp(fixture)
            func aging(_ query: String, headers: [(String, String)] = []) async throws -> Reply {
                try await client.send(.get, "/v1/receivables/aging?\(query)", token: accountant, headers: headers)
            }
            let (a, b, c) = (Self.a, Self.b, Self.c)
            // A: A-1 10000−1000 (30 d), A-2 5000 (0 d), A-3 4000−1500 (60 d), A-4 3000−1000 (90 d);
            // B: B-1 7000 (91 d), B-2 written off, 800 USD unapplied; C: C-1 7000 (11 d).
            // Ordered by totalMinor descending, then clientId: A, B and C tie at 7000, B's USD row last.
            let rows = [
                Self.agingRow(a, "Alfa, Ltd", "RUB", [5_000, 9_000, 2_500, 2_000, 0]),
                Self.agingRow(b, "Beta", "RUB", [0, 0, 0, 0, 7_000]),
                Self.agingRow(c, "Gamma", "RUB", [0, 7_000, 0, 0, 0]),
                Self.agingRow(b, "Beta", "USD", [0, 0, 0, 0, 0], unapplied: 800),
            ]
            let totals = Self.agingTotals([5_000, 16_000, 2_500, 2_000, 7_000])
            let whole = try await aging("asOf=2026-04-30")
            #expect(whole.status == 200)
            #expect(
                whole.json
                    == Self.parse(
                        #"{"asOf":"2026-04-30","bucketLabels":\#(Self.labels),"clients":[\#(rows.joined(separator: ","))],"totals":\#(totals),"next":null}"#
                    ), "\(whole.text)")

            // Paging: two rows a page, totals over every row on each page.
            let first = try await aging("asOf=2026-04-30&limit=2")
            #expect(first["clients"] == Self.parse("[\(rows[0]),\(rows[1])]"), "\(first.text)")
            #expect(first["totals"] == Self.parse(totals))
            let cursor = first.string("next")
            #expect(!cursor.isEmpty)
            let second = try await aging("asOf=2026-04-30&limit=2&cursor=\(cursor)")
            #expect(second["clients"] == Self.parse("[\(rows[2]),\(rows[3])]"), "\(second.text)")
            #expect(second["totals"] == Self.parse(totals))
            #expect(second["next"] == .null)
            for bad in ["limit=0", "limit=10001", "limit=x", "cursor=%25%25"] {
                let refused = try await aging("asOf=2026-04-30&\(bad)")
                #expect(refused.status == 422 && refused.isProblem, "\(bad): \(refused.text)")
            }

            // The CSV: the whole report, CRLF lines, a name with a comma quoted.
            let csv = try await aging("asOf=2026-04-30&limit=1", headers: [("Accept", "text/csv")])
            #expect(csv.status == 200)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == #"attachment; filename="aging-2026-04-30.csv""#)
            #expect(
                csv.text
                    == [
                        "clientId,name,currency,totalMinor,current,1-30,31-60,61-90,90+,unappliedCreditMinor",
                        "\(a),\"Alfa, Ltd\",RUB,18500,5000,9000,2500,2000,0,0",
                        "\(b),Beta,RUB,7000,0,0,0,0,7000,0",
                        "\(c),Gamma,RUB,7000,0,7000,0,0,0,0",
                        "\(b),Beta,USD,0,0,0,0,0,0,800",
                    ].map { $0 + "\r\n" }.joined(), "\(csv.text)")

            // Custom edges: 90 days overdue falls above the last edge 60.
            let custom = try await aging("asOf=2026-04-30&buckets=30,60")
            let customLabels = ["current", "1-30", "31-60", "60+"]
            #expect(custom["bucketLabels"] == .array(customLabels.map(JSONValue.string)))
            #expect(
                custom["clients"]?.reportItems?.first
                    == Self.parse(
                        #"{"clientId":"\#(a)","name":"Alfa, Ltd","currency":"RUB","totalMinor":18500,"buckets":\#(Self.buckets([5_000, 9_000, 2_500, 2_000], labels: customLabels)),"unappliedCreditMinor":0}"#
                    ), "\(custom.text)")
            let narrow = try await aging("asOf=2026-04-30&buckets=10,15")
            #expect(narrow["bucketLabels"] == Self.parse(#"["current","1-10","11-15","15+"]"#))
            // C-1 is 11 days overdue.
            #expect(
                narrow["clients"]?.reportItems?[2].objectValue?["buckets"]
                    == Self.parse(#"{"current":0,"1-10":0,"11-15":7000,"15+":0}"#))
            // As many edges as allowed (more than a function's 100 arguments): every bucket is listed;
            // one more is refused.
            let widestEdges = (1...365).map { String($0 * 2) }.joined(separator: ",")
            let widest = try await aging("asOf=2026-04-30&buckets=\(widestEdges)")
            #expect(widest.status == 200, "\(widest.text)")
            #expect(widest["bucketLabels"]?.reportItems?.count == 367)
            #expect(widest["clients"]?.reportItems?[2].objectValue?["buckets"]?.objectValue?["11-12"] == .integer(7000))
            for bad in ["60,30", "30,30", "0,30", "-5", "a", "", "30,,60", "30.5", widestEdges + ",731"] {
                let refused = try await aging("asOf=2026-04-30&buckets=\(bad)")
                #expect(refused.status == 422, "buckets=\(bad): \(refused.text)")
                #expect(refused.isProblem && refused.errorFields == ["buckets"], "buckets=\(bad): \(refused.text)")
            }

            // As of 2026-03-01: C-1 not yet issued, A-4's credit note not yet, B-1 31 days overdue.
            let march = try await aging("asOf=2026-03-01")
            #expect(
                march.json
                    == Self.parse(
                        #"{"asOf":"2026-03-01","bucketLabels":\#(Self.labels),"clients":[\#(Self.agingRow(a, "Alfa, Ltd", "RUB", [16_500, 3_000, 0, 0, 0])),\#(Self.agingRow(b, "Beta", "RUB", [0, 0, 7_000, 0, 0])),\#(Self.agingRow(b, "Beta", "USD", [0, 0, 0, 0, 0], unapplied: 800))],"totals":\#(Self.agingTotals([16_500, 3_000, 7_000, 0, 0])),"next":null}"#
                    ), "\(march.text)")

            // Known at the instant before the back-dated payment: A-1 still 10000 open.
            let earlier = try await aging("asOf=2026-04-30&knownAt=\(knownAt)")
            #expect(
                earlier["clients"]?.reportItems?.first
                    == Self.parse(Self.agingRow(a, "Alfa, Ltd", "RUB", [5_000, 10_000, 2_500, 2_000, 0])),
                "\(earlier.text)")
            #expect(earlier["totals"] == Self.parse(Self.agingTotals([5_000, 17_000, 2_500, 2_000, 7_000])))
            // knownAt alone: asOf is its UTC date.
            let knownOnly = try await aging("knownAt=\(knownAt)")
            #expect(knownOnly.string("asOf") == String(knownAt.prefix(10)))
        }
    }

    static func boardDeal(
        _ deal: String, _ clientId: String, _ title: String, _ amount: Int, _ currency: String, days: Int,
        objections: Int = 0, touched: String? = nil
    ) -> String {
        #"{"dealId":"\#(deal)","clientId":"\#(clientId)","title":"\#(title)","amountMinor":\#(amount),"currency":"\#(currency)","daysInStage":\#(days),"openObjections":\#(objections),"lastTouchOn":\#(touched.map { "\"\($0)\"" } ?? "null"),"qualified":false}"#
    }

    /// The board JSON with `filled` stages, every other stage of `sales` empty.
    static func board(asOf: String, _ filled: [String: (totals: String, deals: [String])]) -> JSONValue {
        let stages = ["lead", "qualified", "contact", "needs", "offer", "objections", "bargaining", "closing"].map {
            stage in
            let (totals, deals) = filled[stage] ?? ("[]", [])
            return
                #"{"stage":"\#(stage)","count":\#(deals.count),"totals":\#(totals),"deals":[\#(deals.joined(separator: ","))]}"#
        }
        return parse(#"{"pipeline":"sales","asOf":"\#(asOf)","stages":[\#(stages.joined(separator: ","))]}"#)
    }

    @Test func boardRetentionFunnelAndTheirWindows() async throws {
        try await Self.onTheStory { client, fixture in
            let sales = fixture.tokens[.sales]!
            func get(_ path: String) async throws -> Reply { try await client.send(.get, path, token: sales) }
            let (a, b, c, d1, d2, d3) = (Self.a, Self.b, Self.c, Self.d1, Self.d2, Self.d3)

            // Board on 2026-04-30: D4 won and D5 lost are off it; D1 in objections since 04-12 at its offer's
            // amount, one objection without outcome, touched 04-20; D2 (04-10) and D3 (04-20) in lead.
            let board = try await get("/v1/pipelines/sales/board?asOf=2026-04-30")
            #expect(board.status == 200)
            #expect(
                board.json
                    == Self.board(
                        asOf: "2026-04-30",
                        [
                            "lead": (
                                #"[{"currency":"RUB","amountMinor":20000},{"currency":"USD","amountMinor":3000}]"#,
                                [
                                    Self.boardDeal(d2, b, "Beta deal", 20_000, "RUB", days: 20),
                                    Self.boardDeal(d3, c, "Gamma deal", 3_000, "USD", days: 10),
                                ]
                            ),
                            "objections": (
                                #"[{"currency":"RUB","amountMinor":45000}]"#,
                                [
                                    Self.boardDeal(
                                        d1, a, "Alpha deal", 45_000, "RUB", days: 18, objections: 1,
                                        touched: "2026-04-20")
                                ]
                            ),
                        ]), "\(board.text)")
            // On 2026-04-11 D1 was in offer for a day, no objection yet, no touch; D3 not opened.
            let earlier = try await get("/v1/pipelines/sales/board?asOf=2026-04-11")
            #expect(
                earlier.json
                    == Self.board(
                        asOf: "2026-04-11",
                        [
                            "lead": (
                                #"[{"currency":"RUB","amountMinor":20000}]"#,
                                [Self.boardDeal(d2, b, "Beta deal", 20_000, "RUB", days: 1)]
                            ),
                            "offer": (
                                #"[{"currency":"RUB","amountMinor":45000}]"#,
                                [Self.boardDeal(d1, a, "Alpha deal", 45_000, "RUB", days: 1)]
                            ),
                        ]), "\(earlier.text)")
            let unknown = try await get("/v1/pipelines/nowhere/board?asOf=2026-04-30")
            #expect(unknown.status == 404 && unknown.isProblem, "\(unknown.text)")

            // Retention on 2026-04-30: B (ltv 9000) bought once 88 days ago and was never touched; A's gaps
            // 11 and 20 days (median 15.5), last purchase 79 days ago > 23.25; C registered 41 days ago,
            // never touched, no orders: last.
            let retention = try await get("/v1/retention?asOf=2026-04-30")
            #expect(retention.status == 200)
            #expect(
                retention.json
                    == Self.parse(
                        #"""
                        {"asOf":"2026-04-30","next":null,"clients":[
                         {"clientId":"\#(b)","name":"Beta","reasons":["single-purchase","untouched"],"lastPurchaseOn":"2026-02-01",
                          "medianIntervalDays":null,"daysSinceLastPurchase":88,"lastTouchOn":null,
                          "ltv":[{"currency":"RUB","amountMinor":9000}]},
                         {"clientId":"\#(a)","name":"Alfa, Ltd","reasons":["rhythm-broken"],"lastPurchaseOn":"2026-02-10",
                          "medianIntervalDays":15.5,"daysSinceLastPurchase":79,"lastTouchOn":"2026-04-20",
                          "ltv":[{"currency":"RUB","amountMinor":6000},{"currency":"USD","amountMinor":500}]},
                         {"clientId":"\#(c)","name":"Gamma","reasons":["untouched"],"lastPurchaseOn":null,
                          "medianIntervalDays":null,"daysSinceLastPurchase":null,"lastTouchOn":null,"ltv":[]}]}
                        """#), "\(retention.text)")
            // A higher rhythm factor (79 ≤ 6 × 15.5) takes A off the list.
            let lenient = try await get("/v1/retention?asOf=2026-04-30&rhythmFactor=6")
            #expect(lenient["clients"]?.reportItems?.compactMap { $0.objectValue?["clientId"]?.stringValue } == [b, c])
            let paged = try await get("/v1/retention?asOf=2026-04-30&limit=2")
            #expect(paged["clients"]?.reportItems?.count == 2 && paged.string("next") != "")

            // Funnel of April: D1 lead 4 d → qualified 1 → contact 2 → needs 2 → offer 2 → objections (18 d to asOf);
            // D4 lead 1 d, qualified 5 d, won; D5 lead 3 d, lost by the client (1 objection); D2 20 d, D3 10 d in lead.
            let funnel = try await get("/v1/funnel?pipeline=sales&from=2026-04-01&to=2026-04-30&asOf=2026-04-30")
            #expect(funnel.status == 200)
            func stage(
                _ name: String, _ entered: Int, _ movedOn: Int, won: Int = 0, lost: String = "[]", lostTotal: Int = 0,
                next: String, toWon: String, median: String
            ) -> String {
                #"{"stage":"\#(name)","entered":\#(entered),"movedOn":\#(movedOn),"won":\#(won),"lost":{"total":\#(lostTotal),"byRefusedBy":{"client":\#(lostTotal),"us":0},"byReason":\#(lost)},"conversionToNext":\#(next),"conversionToWon":\#(toWon),"medianDaysInStage":\#(median)}"#
            }
            let stages = [
                stage(
                    "lead", 5, 2, lost: #"[{"reason":"too expensive","refusedBy":"client","count":1}]"#, lostTotal: 1,
                    next: "0.4", toWon: "0.2", median: "4"),
                stage("qualified", 2, 1, won: 1, next: "0.5", toWon: "0.5", median: "3"),
                stage("contact", 1, 1, next: "1", toWon: "0", median: "2"),
                stage("needs", 1, 1, next: "1", toWon: "0", median: "2"),
                stage("offer", 1, 1, next: "1", toWon: "0", median: "2"),
                stage("objections", 1, 0, next: "0", toWon: "0", median: "18"),
                stage("bargaining", 0, 0, next: "null", toWon: "null", median: "null"),
                stage("closing", 0, 0, next: "null", toWon: "null", median: "null"),
            ]
            #expect(
                funnel.json
                    == Self.parse(
                        #"{"pipeline":"sales","from":"2026-04-01","to":"2026-04-30","asOf":"2026-04-30","deals":5,"stages":[\#(stages.joined(separator: ","))],"meanObjections":{"won":0,"lost":1},"byQualification":{"qualified":{"entered":0,"won":0,"lost":0},"unqualified":{"entered":5,"won":1,"lost":1}}}"#
                    ), "\(funnel.text)")
            // As of 2026-04-05 the cohort is D1, D4, D5 only.
            let early = try await get("/v1/funnel?from=2026-04-01&to=2026-04-30&asOf=2026-04-05")
            #expect(early["deals"] == .integer(3), "\(early.text)")
            let missing = try await get("/v1/funnel?from=2026-04-01&asOf=2026-04-30")
            #expect(missing.status == 422 && missing.errorFields == ["to"], "\(missing.text)")
            let unknownFunnel = try await get("/v1/funnel?pipeline=nowhere&from=2026-04-01&to=2026-04-30")
            #expect(unknownFunnel.status == 404 && unknownFunnel.isProblem)

            // Invalid asOf / knownAt on every report: 422 problem+json naming the field.
            let accountant = fixture.tokens[.accountant]!
            for path in [
                "/v1/pipelines/sales/board?", "/v1/receivables/aging?", "/v1/retention?",
                "/v1/funnel?from=2026-04-01&to=2026-04-30&",
            ] {
                for (query, field) in [
                    ("asOf=2026-02-30", "asOf"), ("asOf=30.04.2026", "asOf"), ("knownAt=2026-04-30", "knownAt"),
                    ("knownAt=yesterday", "knownAt"),
                ] {
                    let reply = try await client.send(.get, path + query, token: accountant)
                    #expect(reply.status == 422, "\(path)\(query): \(reply.text)")
                    #expect(reply.isProblem && reply.errorFields == [field], "\(path)\(query): \(reply.text)")
                }
            }
        }
    }

    /// The objections report on the story's April cohort: D1 (2 objections: price without an
    /// outcome, no-budget resolved; still open), D5 (price without an outcome; lost), D4 (won), D2
    /// and D3 (none, open).
    @Test func objectionsReportOnTheStory() async throws {
        try await Self.onTheStory { client, fixture in
            func get(_ path: String) async throws -> Reply {
                try await client.send(.get, path, token: fixture.tokens[.accountant]!)
            }
            let report = try await get("/v1/reports/objections?from=2026-04-01&to=2026-04-30")
            #expect(report.status == 200, "\(report.text)")
            func category(_ name: String, _ raised: Int = 0, resolved: Int = 0, open: Int = 0, lost: Int = 0) -> String
            {
                #"{"category":"\#(name)","raised":\#(raised),"resolved":\#(resolved),"unresolved":0,"open":\#(open),"dealsWon":0,"dealsLost":\#(lost)}"#
            }
            let categories = [
                category("price", 2, open: 2, lost: 1), category("no-need"), category("not-interested"),
                category("has-supplier"), category("no-budget", 1, resolved: 1), category("not-now"),
                category("own-resources"), category("crisis"), category("other"),
            ]
            func count(
                _ objections: String, _ deals: Int = 0, won: Int = 0, lost: Int = 0, rate: String = "null"
            ) -> String {
                #"{"objections":"\#(objections)","deals":\#(deals),"won":\#(won),"lost":\#(lost),"winRate":\#(rate)}"#
            }
            let byCount = [
                count("0", 3, won: 1, rate: "1"), count("1", 1, lost: 1, rate: "0"), count("2", 1), count("3"),
                count("4"),
                count("5"), count("6+"),
            ]
            #expect(
                report.json
                    == Self.parse(
                        #"{"pipeline":"sales","from":"2026-04-01","to":"2026-04-30","categories":[\#(categories.joined(separator: ","))],"byCount":[\#(byCount.joined(separator: ","))]}"#
                    ), "\(report.text)")
            // Only D4 and D5 were opened in [04-02, 04-09]: one won without objections, one lost after one.
            let narrow = try await get("/v1/reports/objections?pipeline=sales&from=2026-04-02&to=2026-04-09")
            #expect(
                narrow["byCount"]
                    == Self.parse(
                        "[\(count("0", 1, won: 1, rate: "1")),\(count("1", 1, lost: 1, rate: "0")),\(count("2")),\(count("3")),\(count("4")),\(count("5")),\(count("6+"))]"
                    ), "\(narrow.text)")

            for (query, field) in [
                ("to=2026-04-30", "from"), ("from=2026-04-01", "to"), ("from=2026-04-31&to=2026-05-01", "from"),
                ("from=2026-04-01&to=30.04.2026", "to"), ("from=2026-04-30&to=2026-04-01", "from"),
            ] {
                let refused = try await get("/v1/reports/objections?\(query)")
                #expect(
                    refused.status == 422 && refused.isProblem && refused.errorFields == [field],
                    "\(query): \(refused.text)")
            }
            let unknown = try await get("/v1/reports/objections?pipeline=nowhere&from=2026-04-01&to=2026-04-30")
            #expect(unknown.status == 404 && unknown.isProblem, "\(unknown.text)")
        }
    }

    /// `reason` keeps the rows with any of the reasons asked for, before paging. On 2026-04-30 the
    /// list is B (single-purchase, untouched), A (rhythm-broken), C (untouched).
    @Test func retentionByReasonPagesOverTheKeptRows() async throws {
        try await Self.onTheStory { client, fixture in
            let sales = fixture.tokens[.sales]!
            let (a, b, c) = (Self.a, Self.b, Self.c)
            func clients(_ query: String) async throws -> (ids: [String], next: String?) {
                let reply = try await client.send(.get, "/v1/retention?asOf=2026-04-30&\(query)", token: sales)
                #expect(reply.status == 200, "\(query): \(reply.text)")
                return (
                    reply["clients"]?.reportItems?.compactMap { $0.objectValue?["clientId"]?.stringValue } ?? [],
                    reply["next"]?.stringValue
                )
            }
            #expect(try await clients("reason=untouched").ids == [b, c])
            #expect(try await clients("reason=rhythm-broken").ids == [a])
            #expect(try await clients("reason=rhythm-broken&reason=single-purchase").ids == [b, a])
            #expect(try await clients("reason=untouched&reason=rhythm-broken&reason=single-purchase").ids == [b, a, c])
            // The same from the dated facts (a knownAt is given) as from the current state.
            #expect(try await clients("reason=untouched&knownAt=2100-01-01T00:00:00Z").ids == [b, c])
            // Pages of one: C comes right after B, A (not untouched) never fills a page.
            for known in ["", "&knownAt=2100-01-01T00:00:00Z"] {
                let first = try await clients("reason=untouched&limit=1\(known)")
                #expect(first.ids == [b] && first.next != nil, "\(first)")
                let second = try await clients("reason=untouched&limit=1&cursor=\(first.next ?? "")\(known)")
                #expect(second.ids == [c] && second.next == nil, "\(second)")
            }

            for query in ["reason=bogus", "reason=untouched&reason=", "reason=Untouched"] {
                let refused = try await client.send(.get, "/v1/retention?asOf=2026-04-30&\(query)", token: sales)
                #expect(
                    refused.status == 422 && refused.isProblem && refused.errorFields == ["reason"],
                    "\(query): \(refused.text)")
            }
        }
    }

    @Test func projectionsStatusAndRebuild() async throws {
        try await Self.onTheStory { client, fixture in
            let admin = fixture.tokens[.admin]!
            let backoffice = fixture.tokens[.backoffice]!
            let head: Int64 = try await fixture.database.pool.withConnection { connection in
                try connection.query("SELECT max(position) FROM events").first?.decode(0) ?? 0
            }
            #expect(head > 0)
            let status = try await client.send(.get, "/v1/projections", token: backoffice)
            #expect(status.status == 200)
            let entries = status["projections"]?.reportItems?.compactMap(\.objectValue) ?? []
            #expect(
                entries.compactMap { $0["name"]?.stringValue }
                    == Projection.all.map(\.name) + ["funnel", "objections", "receivables-invoices"],
                "\(status.text)")
            for (entry, projection) in zip(entries, Projection.all + [.board, .board, .aging]) {
                let servedBy = ["funnel": "board", "objections": "board", "receivables-invoices": "aging"][
                    entry["name"]?.stringValue ?? ""]
                #expect(entry["servedBy"] == (servedBy.map(JSONValue.string) ?? .null), "\(entry)")
                #expect(entry["version"] == .integer(projection.version), "\(entry)")
                #expect(entry["position"] == .integer(head), "\(entry)")
                #expect(entry["lagEvents"] == .integer(0), "\(entry)")
                #expect(entry["state"] == .string("live"), "\(entry)")
                if case .number? = entry["lagSeconds"] {} else { Issue.record("lagSeconds: \(entry)") }
            }

            let before = try await client.send(.get, "/v1/receivables/aging?asOf=2026-04-30", token: admin)
            let generation = try await fixture.database.pool.withConnection { connection in
                try ProjectionRegistry.live(.aging, on: connection).generation
            }
            let accepted = try await client.send(.post, "/v1/projections/aging/rebuild", token: admin)
            #expect(accepted.status == 202, "\(accepted.text)")
            #expect(accepted["name"] == .string("aging") && accepted["state"] == .string("rebuilding"))
            #expect(accepted["rebuild"]?.objectValue?["eventsTotal"] == .integer(head), "\(accepted.text)")
            #expect(try await Self.swapsIn(.aging, after: generation, fixture), "the rebuild of aging never swapped in")
            let after = try await client.send(.get, "/v1/receivables/aging?asOf=2026-04-30", token: admin)
            #expect(after.status == 200)
            #expect(after.json == before.json, "\(after.text)")
            let agingStatus = try await client.send(.get, "/v1/projections", token: backoffice)["projections"]?
                .reportItems?.compactMap(\.objectValue).first { $0["name"] == .string("aging") }
            #expect(agingStatus?["state"] == .string("live") && agingStatus?["lagEvents"] == .integer(0))
            #expect(agingStatus?["position"] == .integer(head))

            // The funnel is served by the board: rebuilding it by name rebuilds the board.
            let board = try await fixture.database.pool.withConnection { connection in
                try ProjectionRegistry.live(.board, on: connection).generation
            }
            let funnel = try await client.send(.post, "/v1/projections/funnel/rebuild", token: admin)
            #expect(funnel.status == 202, "\(funnel.text)")
            #expect(funnel["name"] == .string("funnel") && funnel["servedBy"] == .string("board"), "\(funnel.text)")
            #expect(
                try await Self.swapsIn(.board, after: board, fixture),
                "rebuilding the funnel never swapped in a new board")

            let unknown = try await client.send(.post, "/v1/projections/nothing/rebuild", token: admin)
            #expect(unknown.status == 404 && unknown.isProblem)
        }
    }
}

extension JSONValue {
    /// The elements when this is an array.
    var reportItems: [JSONValue]? {
        if case .array(let items) = self { items } else { nil }
    }
}
