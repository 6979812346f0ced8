import Access
import Foundation
import HTTPAPI
import HTTPTypes
import HummingbirdTesting
import JSON
import PQ
import Projections
import Sales
import TestSupport
import Testing

/// The aging CSV through HTTP with names meant to attack a spreadsheet: each comes out as text.
@Suite("Aging CSV for spreadsheets")
struct AgingCSVTests {
    /// Clients and what each owes (distinct amounts, so the rows' order is known).
    static let clients: [(id: String, name: String, owed: Int)] = [
        ("00000000-0000-4000-8000-000000000e01", #"=HYPERLINK("http://x","y")"#, 9_000),
        ("00000000-0000-4000-8000-000000000e02", "+1", 8_000),
        ("00000000-0000-4000-8000-000000000e03", "@SUM(A1)", 7_000),
        ("00000000-0000-4000-8000-000000000e04", "\u{FF1D}1", 6_000),
        ("00000000-0000-4000-8000-000000000e05", #"Smith, "Bob" & Co"#, 5_000),
        ("00000000-0000-4000-8000-000000000e06", "ООО Ромашка", 4_000),
        ("00000000-0000-4000-8000-000000000e07", "-10", 3_000),
    ]

    /// The expected rows: every amount current as of the due date.
    static let expected =
        [
            "clientId,name,currency,totalMinor,current,1-30,31-60,61-90,90+,unappliedCreditMinor",
            #"00000000-0000-4000-8000-000000000e01,"'=HYPERLINK(""http://x"",""y"")",RUB,9000,9000,0,0,0,0,0"#,
            #"00000000-0000-4000-8000-000000000e02,"'+1",RUB,8000,8000,0,0,0,0,0"#,
            #"00000000-0000-4000-8000-000000000e03,"'@SUM(A1)",RUB,7000,7000,0,0,0,0,0"#,
            "00000000-0000-4000-8000-000000000e04,\"'\u{FF1D}1\",RUB,6000,6000,0,0,0,0,0",
            #"00000000-0000-4000-8000-000000000e05,"Smith, ""Bob"" & Co",RUB,5000,5000,0,0,0,0,0"#,
            "00000000-0000-4000-8000-000000000e06,ООО Ромашка,RUB,4000,4000,0,0,0,0,0",
            #"00000000-0000-4000-8000-000000000e07,"'-10",RUB,3000,3000,0,0,0,0,0"#,
        ].map { $0 + "\r\n" }.joined()

    @Test func hostileNamesComeOutAsTextWithAnOptionalByteOrderMark() async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        let accountant = fixture.tokens[.accountant]!
        try await fixture.run { client in
            for (index, entry) in Self.clients.enumerated() {
                let registered = try await client.send(
                    .post, "/v1/clients", token: admin,
                    json: body(["clientId": .string(entry.id), "name": .string(entry.name), "kind": .string("company")])
                )
                #expect(registered.status == 201, "\(entry.name): \(registered.text)")
                let invoiced = try await client.send(
                    .post, "/v1/invoices", token: admin,
                    json: body([
                        "clientId": .string(entry.id), "number": .string("CSV-\(index)"),
                        "issuedOn": .string("2026-05-01"),
                        "dueOn": .string("2026-06-01"), "amountMinor": .integer(Int64(entry.owed)),
                        "currency": .string("RUB"),
                    ]))
                #expect(invoiced.status == 201, "\(entry.name): \(invoiced.text)")
            }
            try await ReportRouteTests.catchUp(fixture)
            let csv = [("Accept", "text/csv")]

            let plain = try await client.send(
                .get, "/v1/receivables/aging?asOf=2026-06-01", token: accountant, headers: csv)
            #expect(plain.status == 200)
            #expect(plain.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(plain.headers[.contentDisposition] == #"attachment; filename="aging-2026-06-01.csv""#)
            #expect(plain.text == Self.expected, "\(plain.text)")

            let marked = try await client.send(
                .get, "/v1/receivables/aging?asOf=2026-06-01&bom=true", token: accountant, headers: csv)
            #expect(marked.status == 200)
            #expect(marked.text == "\u{FEFF}" + Self.expected, "\(marked.text)")
            #expect(Array(marked.text.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])

            let unmarked = try await client.send(
                .get, "/v1/receivables/aging?asOf=2026-06-01&bom=false", token: accountant, headers: csv)
            #expect(unmarked.text == Self.expected)

            let refused = try await client.send(
                .get, "/v1/receivables/aging?asOf=2026-06-01&bom=yes", token: accountant, headers: csv)
            #expect(refused.status == 422 && refused.isProblem && refused.errorFields == ["bom"], "\(refused.text)")

            // JSON keeps the names exactly as recorded: neutralising is for spreadsheets only.
            let json = try await client.send(.get, "/v1/receivables/aging?asOf=2026-06-01", token: accountant)
            let names = json["clients"].flatMap { value -> [String]? in
                guard case .array(let rows) = value else { return nil }
                return rows.compactMap { $0.objectValue?["name"]?.stringValue }
            }
            #expect(names == Self.clients.map(\.name))
        }
    }
}
