import Access
import Foundation
import HTTPTypes
import HexText
import HummingbirdTesting
import JSON
import Projections
import Sales
import TestSupport
import Testing

/// `GET /v1/clients` and `GET /v1/clients/{clientId}` on clients registered through the API (names
/// sealed in the log, opened and lowercased by the runner): search in any script, filters, order,
/// pages, the figures as of today, and the refusals.
@Suite("Clients directory routes")
struct ClientDirectoryRouteTests {
    static let romashka = "00000000-0000-4000-8000-0000000000a1"
    static let shevchenko = "00000000-0000-4000-8000-0000000000a2"
    static let percent = "00000000-0000-4000-8000-0000000000a3"
    static let zeta = "00000000-0000-4000-8000-0000000000a4"
    static let istanbul = "00000000-0000-4000-8000-0000000000a5"

    /// Five clients in three scripts; Ромашка with two deals (one lost) and touches, one of them
    /// dated in the future (not counted today).
    static func record(_ client: any TestClientProtocol, _ fixture: APIFixture) async throws {
        let sales = fixture.tokens[.sales]!
        func post(_ path: String, _ json: String) async throws {
            let reply = try await client.send(.post, path, token: sales, json: json)
            #expect(reply.status == 201, "\(path): \(reply.text)")
        }
        let today = Instant(Date()).utcDate
        let yesterday = today.adding(days: -1)!.description
        let later = today.adding(days: 30)!.description
        try await post(
            "/v1/clients",
            #"{"clientId":"\#(romashka)","name":"ООО Ромашка","kind":"company","source":"expo","temperature":"warm","registeredOn":"2026-01-05"}"#
        )
        try await post(
            "/v1/clients",
            #"{"clientId":"\#(shevchenko)","name":"Марія Шевченко","kind":"person","source":"site","temperature":"cold","registeredOn":"2026-01-06"}"#
        )
        try await post(
            "/v1/clients",
            #"{"clientId":"\#(percent)","name":"Acme 100%_Ltd","kind":"company","temperature":"warm","registeredOn":"2026-01-07"}"#
        )
        try await post(
            "/v1/clients",
            #"{"clientId":"\#(zeta)","name":"acme 100 ltd","kind":"company","registeredOn":"2026-01-08"}"#)
        try await post(
            "/v1/clients",
            #"{"clientId":"\#(istanbul)","name":"ZEUS Ἀθῆναι","kind":"company","registeredOn":"2026-01-09"}"#)
        try await post(
            "/v1/deals",
            #"{"dealId":"00000000-0000-4000-8000-0000000000d1","clientId":"\#(romashka)","title":"Ромашка 1","amountMinor":1000,"currency":"RUB","openedOn":"2026-01-10"}"#
        )
        try await post(
            "/v1/deals",
            #"{"dealId":"00000000-0000-4000-8000-0000000000d2","clientId":"\#(romashka)","title":"Ромашка 2","amountMinor":1000,"currency":"RUB","openedOn":"2026-01-10"}"#
        )
        try await post(
            "/v1/deals/00000000-0000-4000-8000-0000000000d2/lose",
            #"{"lostOn":"2026-01-11","refusedBy":"client","reason":"дорого"}"#)
        try await post(
            "/v1/deals",
            #"{"dealId":"00000000-0000-4000-8000-0000000000d3","clientId":"\#(romashka)","title":"Ромашка later","amountMinor":1000,"currency":"RUB","openedOn":"\#(later)"}"#
        )
        try await post(
            "/v1/clients/\(romashka)/touches",
            #"{"channel":"call","direction":"outbound","occurredAt":"\#(yesterday)T10:00:00Z"}"#)
        try await post(
            "/v1/clients/\(romashka)/touches",
            #"{"channel":"call","direction":"outbound","occurredAt":"\#(later)T10:00:00Z"}"#)
    }

    static func ids(_ reply: Reply) -> [String] {
        guard case .array(let rows)? = reply["clients"] else { return [] }
        return rows.compactMap { $0.objectValue?["clientId"]?.stringValue }
    }

    static func search(_ q: String) -> String {
        "/v1/clients?q=" + q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test func searchesAnyPartOfTheNameInAnyScriptWithFiguresAsOfToday() async throws {
        let fixture = try await APIFixture.make()
        let backoffice = fixture.tokens[.backoffice]!
        try await fixture.run { client in
            try await Self.record(client, fixture)
            try await ReportRouteTests.catchUp(fixture)
            // Every client, in code point order of the lowercased name: Latin, Greek, Cyrillic.
            let all = try await client.send(.get, "/v1/clients", token: backoffice)
            #expect(all.status == 200)
            #expect(Self.ids(all) == [Self.zeta, Self.percent, Self.istanbul, Self.shevchenko, Self.romashka])
            #expect(all["next"] == .null)
            for (q, expected) in [
                ("ром", [Self.romashka]), ("ШЕВЧ", [Self.shevchenko]), ("мар", [Self.shevchenko]),
                ("ἀθῆ", [Self.istanbul]), ("zeus", [Self.istanbul]), ("ACME", [Self.zeta, Self.percent]),
                ("100%", [Self.percent]), ("0%_l", [Self.percent]), ("_", [Self.percent]), ("o", []),
                ("", [Self.zeta, Self.percent, Self.istanbul, Self.shevchenko, Self.romashka]),
            ] {
                let found = try await client.send(.get, Self.search(q), token: backoffice)
                #expect(found.status == 200 && Self.ids(found) == expected, "q=\(q): \(found.text)")
            }
            let row = try await client.send(.get, Self.search("ромаш"), token: backoffice)
            guard case .array(let rows)? = row["clients"], let first = rows.first?.objectValue else {
                Issue.record("no row: \(row.text)")
                return
            }
            let yesterday = Instant(Date()).utcDate.adding(days: -1)!.description
            #expect(first["name"] == .string("ООО Ромашка") && first["kind"] == .string("company"))
            #expect(first["temperature"] == .string("warm") && first["source"] == .string("expo"))
            #expect(first["registeredOn"] == .string("2026-01-05") && first["lastTouchOn"] == .string(yesterday))
            #expect(first["openDeals"] == .integer(1), "the lost deal and the one opened later do not count")
            #expect(first["erasedFields"] == nil)
            // Filters, alone and with q.
            let warm = try await client.send(.get, "/v1/clients?temperature=warm", token: backoffice)
            #expect(Self.ids(warm) == [Self.percent, Self.romashka])
            let site = try await client.send(.get, "/v1/clients?source=site&temperature=cold", token: backoffice)
            #expect(Self.ids(site) == [Self.shevchenko])
            let warmAcme = try await client.send(.get, "/v1/clients?q=acme&temperature=warm", token: backoffice)
            #expect(Self.ids(warmAcme) == [Self.percent])
            // One client: its row and its history's state.
            let one = try await client.send(.get, "/v1/clients/\(Self.shevchenko)", token: backoffice)
            #expect(one.status == 200 && one["name"] == .string("Марія Шевченко") && one["openDeals"] == .integer(0))
            #expect(one["state"]?.objectValue?["name"] == .string("Марія Шевченко"))
            let unknown = try await client.send(.get, "/v1/clients/\(UUID().canonical)", token: backoffice)
            #expect(unknown.status == 404 && unknown.isProblem)
        }
    }

    @Test func pagesRunOverEveryClientOnceWithTheCursor() async throws {
        let fixture = try await APIFixture.make()
        let accountant = fixture.tokens[.accountant]!
        try await fixture.run { client in
            try await Self.record(client, fixture)
            try await ReportRouteTests.catchUp(fixture)
            let all = try await client.send(.get, "/v1/clients", token: accountant)
            for limit in 1...3 {
                var seen: [String] = []
                var path = "/v1/clients?limit=\(limit)"
                while true {
                    let page = try await client.send(.get, path, token: accountant)
                    #expect(page.status == 200 && Self.ids(page).count <= limit)
                    seen += Self.ids(page)
                    guard let next = page["next"]?.stringValue else { break }
                    path = "/v1/clients?limit=\(limit)&cursor=\(next)"
                }
                #expect(seen == Self.ids(all), "limit \(limit)")
            }
            let acme = try await client.send(.get, "/v1/clients?q=acme&limit=1", token: accountant)
            #expect(Self.ids(acme) == [Self.zeta])
            let rest = try await client.send(
                .get, "/v1/clients?q=acme&limit=1&cursor=\(acme.string("next"))", token: accountant)
            #expect(Self.ids(rest) == [Self.percent] && rest["next"] == .null)
        }
    }

    @Test func badParametersAreRefusedNamingTheField() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        try await fixture.run { client in
            for (path, field) in [
                (Self.search(String(repeating: "я", count: 201)), "q"), ("/v1/clients?temperature=hot", "temperature"),
                ("/v1/clients?limit=0", "limit"), ("/v1/clients?limit=1001", "limit"),
                ("/v1/clients?cursor=%21%21", "cursor"),
            ] {
                let reply = try await client.send(.get, path, token: sales)
                #expect(
                    reply.status == 422 && reply.isProblem && reply.errorFields == [field], "\(path): \(reply.text)")
            }
            let longest = try await client.send(.get, Self.search(String(repeating: "я", count: 200)), token: sales)
            #expect(longest.status == 200 && Self.ids(longest).isEmpty)
            let anonymous = try await client.send(.get, "/v1/clients", token: nil)
            #expect(anonymous.status == 401)
        }
    }
}
