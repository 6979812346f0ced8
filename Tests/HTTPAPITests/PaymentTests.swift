import Access
import Foundation
import HTTPTypes
import JSON
import Sales
import Testing

@Suite("Payments through HTTP")
struct PaymentTests {
    static func invoice(_ clientId: String, _ number: String, issued: String, due: String, amount: Int64) -> String {
        body([
            "clientId": .string(clientId), "number": .string(number), "issuedOn": .string(issued),
            "dueOn": .string(due),
            "amountMinor": .integer(amount), "currency": .string("RUB"),
        ])
    }

    @Test func explicitThenAutomaticThenUnapplied() async throws {
        let fixture = try await APIFixture.make()
        let accountant = fixture.tokens[.accountant]!
        try await fixture.run { client in
            let clientId = try await client.send(
                .post, "/v1/clients", token: fixture.tokens[.sales]!, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            let late = try await client.send(
                .post, "/v1/invoices", token: accountant,
                json: Self.invoice(clientId, "B", issued: "2026-01-05", due: "2026-02-20", amount: 1_000)
            ).string("invoiceId")
            let early = try await client.send(
                .post, "/v1/invoices", token: accountant,
                json: Self.invoice(clientId, "A", issued: "2026-01-01", due: "2026-01-31", amount: 500)
            ).string("invoiceId")
            let payment = try await client.send(
                .post, "/v1/payments", token: accountant,
                json: body([
                    "clientId": .string(clientId), "receivedOn": .string("2026-01-10"), "amountMinor": .integer(1_800),
                    "currency": .string("RUB"),
                    "allocations": .array([.object(["invoiceId": .string(late), "amountMinor": .integer(400)])]),
                ]))
            #expect(payment.status == 201, "\(payment.text)")
            guard case .array(let allocations)? = payment["allocations"] else {
                Issue.record("no allocations")
                return
            }
            let byInvoice = Dictionary(
                uniqueKeysWithValues: allocations.compactMap { allocation -> (String, JSONValue)? in
                    guard let members = allocation.objectValue, let id = members["invoiceId"]?.stringValue,
                        let amount = members["amountMinor"]
                    else { return nil }
                    return (id, amount)
                })
            #expect(byInvoice == [late: .integer(1_000), early: .integer(500)])
            #expect(payment["unappliedMinor"] == .integer(300))
        }
    }

    @Test func concurrentPaymentsNeverOverAllocate() async throws {
        let fixture = try await APIFixture.make()
        let accountant = fixture.tokens[.accountant]!
        let clientId = try await fixture.run { client in
            let clientId = try await client.send(
                .post, "/v1/clients", token: fixture.tokens[.sales]!, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            _ = try await client.send(
                .post, "/v1/invoices", token: accountant,
                json: Self.invoice(clientId, "C-1", issued: "2026-01-01", due: "2026-01-31", amount: 1_000))
            return clientId
        }
        let payments = try await fixture.run { client in
            try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.send(
                            .post, "/v1/payments", token: accountant,
                            json: body([
                                "clientId": .string(clientId), "receivedOn": .string("2026-01-10"),
                                "amountMinor": .integer(300), "currency": .string("RUB"),
                            ]))
                    }
                }
                var replies = [Reply]()
                for try await reply in group { replies.append(reply) }
                return replies
            }
        }
        #expect(payments.allSatisfy { $0.status == 201 })
        let allocated = payments.reduce(Int64(0)) { total, reply in
            guard case .array(let allocations)? = reply["allocations"] else { return total }
            return total
                + allocations.reduce(Int64(0)) { sum, allocation in
                    guard case .number(let number)? = allocation.objectValue?["amountMinor"] else { return sum }
                    return sum + (Int64(number.description) ?? 0)
                }
        }
        #expect(allocated == 1_000)
    }
}
