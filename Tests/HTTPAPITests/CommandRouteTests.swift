import Access
import Foundation
import HTTPTypes
import HexText
import HummingbirdTesting
import JSON
import Sales
import Testing

@Suite("Command routes")
struct CommandRouteTests {
    @Test func everyCommandAnswers201WithItsIdAndStreamVersion() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let accountant = fixture.tokens[.accountant]!
        let admin = fixture.tokens[.admin]!
        try await fixture.run { client in
            let pipeline = try await client.send(
                .post, "/v1/pipelines", token: admin, json: #"{"name":"partners","stages":["lead","pilot","contract"]}"#
            )
            #expect(pipeline.status == 201)
            #expect(pipeline.string("pipeline") == "partners")
            #expect(pipeline["streamVersion"] == .integer(1))

            let registered = try await client.send(
                .post, "/v1/clients", token: sales,
                json: #"{"name":"Nordlicht GmbH","kind":"company","registeredOn":"2026-01-10"}"#)
            #expect(registered.status == 201)
            let clientId = registered.string("clientId")
            #expect(UUID(uuidString: clientId)?.canonical == clientId)
            #expect(registered["streamVersion"] == .integer(1))

            let touch = try await client.send(
                .post, "/v1/clients/\(clientId)/touches", token: sales,
                json: #"{"channel":"call","direction":"outbound","occurredAt":"2026-01-11T09:30:00Z"}"#)
            #expect(touch.status == 201)
            #expect(!touch.string("touchId").isEmpty)
            #expect(touch["streamVersion"] == .integer(2))

            let deal = try await client.send(
                .post, "/v1/deals", token: sales,
                json: body([
                    "clientId": .string(clientId), "title": .string("Supply"), "amountMinor": .integer(150_000),
                    "currency": .string("EUR"), "openedOn": .string("2026-01-12"),
                ]))
            #expect(deal.status == 201)
            let dealId = deal.string("dealId")
            #expect(deal["streamVersion"] == .integer(1))

            let moved = try await client.send(
                .post, "/v1/deals/\(dealId)/stage", token: sales, json: #"{"stage":"qualified","movedOn":"2026-01-13"}"#
            )
            #expect(moved.status == 201)
            #expect(moved.string("dealId") == dealId)
            #expect(moved["streamVersion"] == .integer(2))

            let offer = try await client.send(
                .post, "/v1/deals/\(dealId)/offers", token: sales,
                json: #"{"amountMinor":140000,"currency":"EUR","offeredOn":"2026-01-14"}"#)
            #expect(offer.status == 201)
            #expect(!offer.string("offerId").isEmpty)

            let objection = try await client.send(
                .post, "/v1/deals/\(dealId)/objections", token: sales,
                json: #"{"category":"price","raisedOn":"2026-01-15"}"#)
            #expect(objection.status == 201)
            let objectionId = objection.string("objectionId")

            let outcome = try await client.send(
                .post, "/v1/deals/\(dealId)/objections/\(objectionId)/outcome", token: sales,
                json: #"{"handledOn":"2026-01-16","resolved":true}"#)
            #expect(outcome.status == 201)
            #expect(outcome.string("objectionId") == objectionId)

            let concession = try await client.send(
                .post, "/v1/deals/\(dealId)/concessions", token: sales,
                json: #"{"given":"5% off","inReturn":"two-year contract","agreedOn":"2026-01-17"}"#)
            #expect(concession.status == 201)
            #expect(!concession.string("concessionId").isEmpty)

            let won = try await client.send(
                .post, "/v1/deals/\(dealId)/win", token: sales, json: #"{"wonOn":"2026-01-18"}"#)
            #expect(won.status == 201)
            #expect(won["streamVersion"] == .integer(7))

            let order = try await client.send(
                .post, "/v1/clients/\(clientId)/orders", token: sales,
                json: body([
                    "placedOn": .string("2026-01-18"), "amountMinor": .integer(140_000), "currency": .string("EUR"),
                    "dealId": .string(dealId),
                ]))
            #expect(order.status == 201)
            let orderId = order.string("orderId")

            let invoice = try await client.send(
                .post, "/v1/invoices", token: accountant,
                json: body([
                    "clientId": .string(clientId), "number": .string("INV-1"), "issuedOn": .string("2026-01-19"),
                    "dueOn": .string("2026-02-18"), "amountMinor": .integer(140_000), "currency": .string("EUR"),
                    "orderId": .string(orderId),
                ]))
            #expect(invoice.status == 201)
            let invoiceId = invoice.string("invoiceId")
            #expect(invoice["streamVersion"] == .integer(1))

            let credit = try await client.send(
                .post, "/v1/invoices/\(invoiceId)/credit-notes", token: accountant,
                json: #"{"issuedOn":"2026-01-20","amountMinor":10000,"reason":"late delivery"}"#)
            #expect(credit.status == 201)
            #expect(!credit.string("creditNoteId").isEmpty)

            let payment = try await client.send(
                .post, "/v1/payments", token: accountant,
                json: body([
                    "clientId": .string(clientId), "receivedOn": .string("2026-01-25"),
                    "amountMinor": .integer(100_000),
                    "currency": .string("EUR"),
                ]))
            #expect(payment.status == 201)
            #expect(!payment.string("paymentId").isEmpty)
            #expect(
                payment["allocations"]
                    == .array([.object(["invoiceId": .string(invoiceId), "amountMinor": .integer(100_000)])]))

            let writeOff = try await client.send(
                .post, "/v1/invoices/\(invoiceId)/write-off", token: accountant,
                json: #"{"writtenOffOn":"2026-03-01","reason":"insolvent"}"#)
            #expect(writeOff.status == 201)
            #expect(writeOff.string("invoiceId") == invoiceId)
            #expect(writeOff["streamVersion"] == .integer(4))

            let lostDeal = try await client.send(
                .post, "/v1/deals", token: sales,
                json: body([
                    "clientId": .string(clientId), "title": .string("Pilot"), "amountMinor": .integer(5_000),
                    "currency": .string("RUB"), "openedOn": .string("2026-02-01"), "pipeline": .string("partners"),
                ]))
            #expect(lostDeal.status == 201)
            let lost = try await client.send(
                .post, "/v1/deals/\(lostDeal.string("dealId"))/lose", token: sales,
                json: #"{"lostOn":"2026-02-03","refusedBy":"us","reason":"terms","criteria":"no prepayment"}"#)
            #expect(lost.status == 201)
        }
        #expect(try await fixture.eventCount() == 17)
    }

    @Test func domainRefusalsMapToTheirStatusAndAppendNothing() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let accountant = fixture.tokens[.accountant]!
        try await fixture.run { client in
            let clientId = try await client.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            let dealId = try await client.send(
                .post, "/v1/deals", token: sales,
                json: body([
                    "clientId": .string(clientId), "title": .string("Deal"), "amountMinor": .integer(100),
                    "currency": .string("USD"), "openedOn": .string("2026-01-10"),
                ])
            ).string("dealId")
            let invoiceId = try await client.send(
                .post, "/v1/invoices", token: accountant,
                json: body([
                    "clientId": .string(clientId), "number": .string("N-1"), "issuedOn": .string("2026-01-10"),
                    "dueOn": .string("2026-01-20"), "amountMinor": .integer(1_000), "currency": .string("USD"),
                ])
            ).string("invoiceId")
            let before = try await fixture.eventCount()
            let unknown = UUID().canonical
            let cases: [(String, String, String, Int, String)] = [
                (
                    "/v1/clients/\(unknown)/touches", sales,
                    #"{"channel":"call","direction":"inbound","occurredAt":"2026-01-11T10:00:00Z"}"#, 404,
                    "client-not-found"
                ),
                ("/v1/deals/\(unknown)/win", sales, #"{"wonOn":"2026-01-11"}"#, 404, "deal-not-found"),
                (
                    "/v1/invoices/\(unknown)/write-off", accountant, #"{"writtenOffOn":"2026-01-11","reason":"x"}"#,
                    404,
                    "invoice-not-found"
                ),
                (
                    "/v1/clients", sales,
                    body(["clientId": .string(clientId), "name": .string("A"), "kind": .string("person")]),
                    409, "client-already-registered"
                ),
                (
                    "/v1/deals/\(dealId)/stage", sales, #"{"stage":"lead","movedOn":"2026-01-11"}"#, 409,
                    "stage-unchanged"
                ),
                (
                    "/v1/deals/\(dealId)/stage", sales, #"{"stage":"nowhere","movedOn":"2026-01-11"}"#, 422,
                    "stage-unknown"
                ),
                (
                    "/v1/deals/\(dealId)/stage", sales, #"{"stage":"qualified","movedOn":"2026-01-01"}"#, 422,
                    "date-before-opened"
                ),
                (
                    "/v1/deals/\(dealId)/offers", sales,
                    #"{"amountMinor":5,"currency":"EUR","offeredOn":"2026-01-12"}"#, 422,
                    "currency-mismatch"
                ),
                (
                    "/v1/invoices", accountant,
                    body([
                        "clientId": .string(clientId), "number": .string("N-1"), "issuedOn": .string("2026-01-10"),
                        "dueOn": .string("2026-01-20"), "amountMinor": .integer(5), "currency": .string("USD"),
                    ]), 409, "duplicate-invoice-number"
                ),
                (
                    "/v1/invoices", accountant,
                    body([
                        "clientId": .string(clientId), "number": .string("N-2"), "issuedOn": .string("2026-01-10"),
                        "dueOn": .string("2026-01-09"), "amountMinor": .integer(5), "currency": .string("USD"),
                    ]), 422, "due-before-issued"
                ),
                (
                    "/v1/invoices/\(invoiceId)/credit-notes", accountant,
                    #"{"issuedOn":"2026-01-11","amountMinor":5000,"reason":"x"}"#, 422, "credit-exceeds-balance"
                ),
                (
                    "/v1/payments", accountant,
                    body([
                        "clientId": .string(clientId), "receivedOn": .string("2026-01-12"), "amountMinor": .integer(10),
                        "currency": .string("USD"),
                        "allocations": .array([.object(["invoiceId": .string(invoiceId), "amountMinor": .integer(20)])]
                        ),
                    ]), 422, "over-allocation"
                ),
            ]
            for (path, token, json, status, type) in cases {
                let reply = try await client.send(.post, path, token: token, json: json)
                #expect(reply.status == status, "\(path) \(json): \(reply.text)")
                #expect(reply.isProblem, "\(reply.text)")
                #expect(reply.problemType == type, "\(path): \(reply.text)")
            }
            _ = try await client.send(.post, "/v1/deals/\(dealId)/win", token: sales, json: #"{"wonOn":"2026-01-15"}"#)
            let closed = try await client.send(
                .post, "/v1/deals/\(dealId)/stage", token: sales, json: #"{"stage":"qualified","movedOn":"2026-01-16"}"#
            )
            #expect(closed.status == 409)
            #expect(closed.problemType == "deal-closed")
            #expect(try await fixture.eventCount() == before + 1)
        }
    }
}
