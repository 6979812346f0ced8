import Access
import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Sales
import Testing

@Suite("Validation and transport errors")
struct ValidationTests {
    @Test func invalidBodiesAre4xxProblemsAndAppendNothing() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        try await fixture.run { client in
            let malformed = try await client.send(.post, "/v1/clients", token: sales, json: #"{"name":"#)
            #expect(malformed.status == 400)
            #expect(malformed.isProblem)

            let cases: [(String, String)] = [
                (#"{"name":5,"kind":"company"}"#, "name"),
                (#"{"name":"A","kind":"robot"}"#, "kind"),
                (#"{"kind":"company"}"#, "name"),
                (#"{"name":"A","kind":"company","registeredOn":"2026-02-30"}"#, "registeredOn"),
                (#"{"name":"A","kind":"company","nmae":"typo"}"#, "nmae"),
                (body(["name": .string(String(repeating: "x", count: 201)), "kind": .string("company")]), "name"),
            ]
            for (json, field) in cases {
                let reply = try await client.send(.post, "/v1/clients", token: sales, json: json)
                #expect(reply.status == 422, "\(json)")
                #expect(reply.isProblem)
                #expect(reply.errorFields.contains(field), "\(json): \(reply.text)")
            }
            let clientId = try await client.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            let money: [(String, String)] = [
                (#"{"placedOn":"2026-01-01","amountMinor":-5,"currency":"EUR"}"#, "amountMinor"),
                (#"{"placedOn":"2026-01-01","amountMinor":0,"currency":"EUR"}"#, "amountMinor"),
                (#"{"placedOn":"2026-01-01","amountMinor":1.5,"currency":"EUR"}"#, "amountMinor"),
                (#"{"placedOn":"2026-01-01","amountMinor":99999999999999999999,"currency":"EUR"}"#, "amountMinor"),
                (#"{"placedOn":"2026-01-01","amountMinor":100,"currency":"XYZ"}"#, "currency"),
            ]
            for (json, field) in money {
                let reply = try await client.send(.post, "/v1/clients/\(clientId)/orders", token: sales, json: json)
                #expect(reply.status == 422, "\(json)")
                #expect(reply.errorFields.contains(field), "\(json): \(reply.text)")
            }
            let wrongType = try await client.execute(
                uri: "/v1/clients", method: .post,
                headers: [.authorization: "Bearer \(sales)", .contentType: "text/plain"],
                body: ByteBuffer(string: "{}")
            ) { $0.status.code }
            #expect(wrongType == 415)
            let huge = "{\"name\":\"" + String(repeating: "a", count: 1_100_000) + "\",\"kind\":\"company\"}"
            let tooLarge = try await client.send(.post, "/v1/clients", token: sales, json: huge)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.isProblem)
            let notFound = try await client.send(.get, "/v1/nowhere", token: sales)
            #expect(notFound.status == 404)
            #expect(notFound.isProblem)
            let wrongMethod = try await client.send(.delete, "/v1/deals", token: sales)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.isProblem)
            #expect(wrongMethod.headers[.allow] == "POST")
            let history = try await client.send(.get, "/v1/clients/\(clientId)/history?asOf=2026-02-30", token: sales)
            #expect(history.status == 422)
            #expect(history.errorFields == ["asOf"])
            let knownAt = try await client.send(.get, "/v1/clients/\(clientId)/history?knownAt=yesterday", token: sales)
            #expect(knownAt.status == 422)
            #expect(knownAt.errorFields == ["knownAt"])
        }
        #expect(try await fixture.eventCount() == 1)
    }
}
