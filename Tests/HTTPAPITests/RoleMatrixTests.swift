import Access
import Foundation
import HTTPTypes
import JSON
import Sales
import Testing

@Suite("Roles")
struct RoleMatrixTests {
    /// Every guarded route of this module with a request that succeeds for an allowed role.
    @Test func everyRoleGetsWhatItMayAndNothingElse() async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        let seeded = try await fixture.run { client in
            let clientId = try await client.send(
                .post, "/v1/clients", token: admin, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            let invoiceId = try await client.send(
                .post, "/v1/invoices", token: admin,
                json: body([
                    "clientId": .string(clientId), "number": .string("R-0"), "issuedOn": .string("2026-01-01"),
                    "dueOn": .string("2026-01-31"), "amountMinor": .integer(1_000_000), "currency": .string("EUR"),
                ])
            ).string("invoiceId")
            return (clientId, invoiceId)
        }
        let (clientId, invoiceId) = seeded
        func route(_ n: Int) -> [(String, String, String?, Permission)] {
            [
                ("POST", "/v1/clients", #"{"name":"C\#(n)","kind":"person"}"#, .recordSales),
                (
                    "POST", "/v1/clients/\(clientId)/touches",
                    #"{"channel":"call","direction":"inbound","occurredAt":"2026-01-02T10:00:00Z"}"#, .recordSales
                ),
                (
                    "POST", "/v1/clients/\(clientId)/orders",
                    #"{"placedOn":"2026-01-02","amountMinor":5,"currency":"EUR"}"#,
                    .recordSales
                ),
                (
                    "POST", "/v1/deals",
                    body([
                        "clientId": .string(clientId), "title": .string("D"), "amountMinor": .integer(5),
                        "currency": .string("EUR"), "openedOn": .string("2026-01-02"),
                    ]), .recordSales
                ),
                (
                    "POST", "/v1/invoices",
                    body([
                        "clientId": .string(clientId), "number": .string("R-\(n)"), "issuedOn": .string("2026-01-01"),
                        "dueOn": .string("2026-01-31"), "amountMinor": .integer(5), "currency": .string("EUR"),
                    ]), .recordReceivables
                ),
                (
                    "POST", "/v1/payments",
                    body([
                        "clientId": .string(clientId), "receivedOn": .string("2026-01-05"), "amountMinor": .integer(1),
                        "currency": .string("EUR"),
                    ]), .recordReceivables
                ),
                (
                    "POST", "/v1/invoices/\(invoiceId)/credit-notes",
                    #"{"issuedOn":"2026-01-02","amountMinor":1,"reason":"r"}"#,
                    .recordReceivables
                ),
                (
                    "POST", "/v1/invoices/\(invoiceId)/promises",
                    #"{"madeOn":"2026-01-02","promisedOn":"2026-02-10","amountMinor":1}"#,
                    .recordCollections
                ),
                (
                    "POST", "/v1/invoices/\(invoiceId)/reminders",
                    #"{"sentOn":"2026-02-02","channel":"email","level":\#(n % 3 + 1)}"#,
                    .recordCollections
                ),
                ("POST", "/v1/pipelines", #"{"name":"p\#(n)","stages":["a","b"]}"#, .administer),
                ("GET", "/v1/pipelines", nil, .readReports),
                ("GET", "/v1/pipelines/sales", nil, .readReports),
                ("GET", "/v1/clients/\(clientId)/history", nil, .readReports),
                ("GET", "/v1/events", nil, .readReports),
                ("GET", "/v1/pipelines/sales/board", nil, .readReports),
                ("GET", "/v1/funnel?from=2026-01-01&to=2026-01-31", nil, .readReports),
                ("GET", "/v1/reports/objections?from=2026-01-01&to=2026-01-31", nil, .readReports),
                ("GET", "/v1/retention", nil, .readReports),
                ("GET", "/v1/receivables/aging", nil, .readAging),
                ("GET", "/v1/receivables/invoices", nil, .readAging),
                ("GET", "/v1/projections", nil, .readProjections),
                ("POST", "/v1/projections/board/rebuild", nil, .administer),
            ]
        }
        let requests = Dictionary(
            uniqueKeysWithValues: Role.allCases.enumerated().map { ($0.element, route($0.offset + 1)) })
        try await fixture.run { client in
            for role in Role.allCases {
                for (method, path, json, permission) in requests[role]! {
                    let reply = try await client.send(
                        method == "POST" ? .post : .get, path, token: fixture.tokens[role]!, json: json)
                    if role.may(permission) {
                        #expect((200..<300).contains(reply.status), "\(role) \(method) \(path): \(reply.text)")
                    } else {
                        #expect(reply.status == 403, "\(role) \(method) \(path)")
                        #expect(reply.isProblem)
                    }
                    let anonymous = try await client.send(method == "POST" ? .post : .get, path, token: nil, json: json)
                    #expect(anonymous.status == 401, "\(method) \(path)")
                    #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
                    #expect(anonymous.isProblem)
                    let forged = try await client.send(
                        method == "POST" ? .post : .get, path, token: "forged", json: json)
                    #expect(forged.status == 401)
                }
            }
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
                let reply = try await client.send(.get, path, token: nil)
                #expect(reply.status == 200, "\(path): \(reply.text)")
            }
            let metrics = try await client.send(.get, "/metrics", token: nil)
            #expect(metrics.text.contains("touchstone_http_requests_total"))
        }
    }
}
