import Foundation
import TestSupport
import Testing

/// Commands sent to the primary's server over HTTP, each under its own Idempotency-Key.
struct CommandSender: Sendable {
    let probe: HTTPProbe
    let token: String

    var authorization: [String: String] { ["Authorization": "Bearer \(token)"] }

    /// Sends a command and answers the field `field` of its 201 answer.
    func post(_ path: String, _ body: String, field: String) async throws -> String {
        let answer = try await probe.send(
            "POST", path,
            headers: authorization.merging(["Idempotency-Key": UUID().uuidString, "Content-Type": "application/json"]) {
                $1
            }, body: body)
        #expect(answer.status == 201, "\(path): \(answer.body)")
        return FaultInjectionTests.field(field, in: answer.body)
    }

    func registerClient(_ name: String) async throws -> String {
        try await post("/v1/clients", #"{"name": "\#(name)", "kind": "company"}"#, field: "clientId")
    }

    func touch(_ client: String) async throws {
        _ = try await post(
            "/v1/clients/\(client)/touches",
            #"{"channel": "call", "direction": "outbound", "occurredAt": "2026-02-03T10:00:00Z"}"#, field: "touchId")
    }

    func pay(_ client: String, amountMinor: Int) async throws {
        _ = try await post(
            "/v1/payments",
            #"{"clientId": "\#(client)", "receivedOn": "2026-03-10", "amountMinor": \#(amountMinor), "currency": "EUR"}"#,
            field: "paymentId")
    }

    /// A client with a deal, an order, an invoice due in February and a part payment; answers its id.
    func salesHistory(number: Int) async throws -> String {
        let client = try await registerClient("Replica client \(number)")
        try await touch(client)
        let deal = try await post(
            "/v1/deals",
            #"{"clientId": "\#(client)", "title": "Supply \#(number)", "amountMinor": 150000, "currency": "EUR", "openedOn": "2026-01-12"}"#,
            field: "dealId")
        let order = try await post(
            "/v1/clients/\(client)/orders",
            #"{"placedOn": "2026-01-18", "amountMinor": 140000, "currency": "EUR", "dealId": "\#(deal)"}"#,
            field: "orderId")
        _ = try await post(
            "/v1/invoices",
            #"{"clientId": "\#(client)", "number": "INV-\#(number)", "issuedOn": "2026-01-19", "dueOn": "2026-02-18", "amountMinor": 140000, "currency": "EUR", "orderId": "\#(order)"}"#,
            field: "invoiceId")
        try await pay(client, amountMinor: 20_000 * number)
        return client
    }
}
