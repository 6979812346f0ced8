import Access
import Foundation
import HTTPAPI
import HTTPTypes
import HummingbirdTesting
import JSON
import Sales
import Testing

/// Promises to pay and reminders over HTTP, and the per-invoice receivables list they show in.
@Suite("Collections work over HTTP")
struct CollectionsRouteTests {
    static let clientId = "00000000-0000-4000-8000-00000000c001"

    /// A client with three invoices of 10 000 RUB issued 2026-01-01 and due 2026-01-31: `C-1`
    /// open, `C-2` paid, `C-3` written off.
    static func seed(_ client: any TestClientProtocol, _ fixture: APIFixture) async throws -> [String] {
        let admin = fixture.tokens[.admin]!
        let registered = try await client.send(
            .post, "/v1/clients", token: admin,
            json: body(["clientId": .string(clientId), "name": .string("ООО Ромашка"), "kind": .string("company")]))
        #expect(registered.status == 201)
        var invoices: [String] = []
        for number in 1...3 {
            let invoice = try await client.send(
                .post, "/v1/invoices", token: admin,
                json: body([
                    "clientId": .string(clientId), "number": .string("C-\(number)"), "issuedOn": .string("2026-01-01"),
                    "dueOn": .string("2026-01-31"), "amountMinor": .integer(10_000), "currency": .string("RUB"),
                ]))
            #expect(invoice.status == 201, "\(invoice.text)")
            invoices.append(invoice.string("invoiceId"))
        }
        let paid = try await client.send(
            .post, "/v1/payments", token: admin,
            json: body([
                "clientId": .string(clientId), "receivedOn": .string("2026-01-10"), "amountMinor": .integer(10_000),
                "currency": .string("RUB"),
                "allocations": .array([.object(["invoiceId": .string(invoices[1]), "amountMinor": .integer(10_000)])]),
            ]))
        #expect(paid.status == 201, "\(paid.text)")
        let writtenOff = try await client.send(
            .post, "/v1/invoices/\(invoices[2])/write-off", token: admin,
            json: #"{"writtenOffOn": "2026-01-20", "reason": "insolvent"}"#)
        #expect(writtenOff.status == 201, "\(writtenOff.text)")
        return invoices
    }

    @Test func promisesAndRemindersAreRecordedAndBadInputAppendsNothing() async throws {
        let fixture = try await APIFixture.make()
        let (sales, accountant, backoffice) = (
            fixture.tokens[.sales]!, fixture.tokens[.accountant]!, fixture.tokens[.backoffice]!
        )
        try await fixture.run { client in
            let invoices = try await Self.seed(client, fixture)
            let promiseId = "00000000-0000-4000-8000-00000000c0f1"
            let promised = try await client.send(
                .post, "/v1/invoices/\(invoices[0])/promises", token: sales,
                json:
                    #"{"promiseId": "\#(promiseId)", "madeOn": "2026-02-02", "promisedOn": "2026-02-10", "amountMinor": 10000, "note": "до пятницы"}"#,
                headers: [("Idempotency-Key", "promise-1")])
            #expect(promised.status == 201, "\(promised.text)")
            #expect(promised.string("promiseId") == promiseId && promised["streamVersion"] != nil)
            let replayed = try await client.send(
                .post, "/v1/invoices/\(invoices[0])/promises", token: sales,
                json:
                    #"{"amountMinor": 10000, "promisedOn": "2026-02-10", "madeOn": "2026-02-02", "promiseId": "\#(promiseId)", "note": "до пятницы"}"#,
                headers: [("Idempotency-Key", "promise-1")])
            #expect(replayed.status == 201 && replayed.headers[.init("Idempotent-Replayed")!] == "true")
            let reminded = try await client.send(
                .post, "/v1/invoices/\(invoices[0])/reminders", token: accountant,
                json: #"{"sentOn": "2026-02-01", "channel": "letter", "level": 2}"#)
            #expect(reminded.status == 201, "\(reminded.text)")
            #expect(UUID(uuidString: reminded.string("reminderId")) != nil)
            let forbidden = try await client.send(
                .post, "/v1/invoices/\(invoices[0])/reminders", token: backoffice,
                json: #"{"sentOn": "2026-02-01", "channel": "letter", "level": 2}"#)
            #expect(forbidden.status == 403)

            let before = try await fixture.eventCount()
            let refusals: [(path: String, json: String, status: Int, type: String, field: String)] = [
                (
                    "\(invoices[0])/promises", #"{"promisedOn": "2026-02-10", "amountMinor": 10001}"#, 422,
                    "promise-exceeds-balance", "amountMinor"
                ),
                (
                    "\(invoices[1])/promises", #"{"promisedOn": "2026-02-10", "amountMinor": 1}"#, 422,
                    "invoice-not-open", "invoiceId"
                ),
                (
                    "\(invoices[2])/promises", #"{"promisedOn": "2026-02-10", "amountMinor": 1}"#, 422,
                    "invoice-not-open", "invoiceId"
                ),
                (
                    "\(invoices[0])/promises",
                    #"{"madeOn": "2026-02-11", "promisedOn": "2026-02-10", "amountMinor": 1}"#, 422,
                    "made-after-promised", "madeOn"
                ),
                (
                    "\(invoices[0])/promises",
                    #"{"madeOn": "2025-12-31", "promisedOn": "2026-02-10", "amountMinor": 1}"#, 422,
                    "date-before-issued", "madeOn"
                ),
                (
                    "\(invoices[0])/promises", #"{"promisedOn": "2026-02-10", "amountMinor": 0}"#, 422,
                    "validation-failed", "amountMinor"
                ),
                (
                    "\(invoices[0])/promises",
                    #"{"promiseId": "\#(promiseId)", "promisedOn": "2026-02-10", "amountMinor": 1}"#, 409,
                    "duplicate-promise", "promiseId"
                ),
                (
                    "\(invoices[0])/reminders", #"{"sentOn": "2026-01-31", "channel": "call", "level": 1}"#, 422,
                    "invoice-not-overdue", "sentOn"
                ),
                (
                    "\(invoices[1])/reminders", #"{"sentOn": "2026-02-01", "channel": "call", "level": 1}"#, 422,
                    "invoice-not-overdue", "sentOn"
                ),
                (
                    "\(invoices[2])/reminders", #"{"sentOn": "2026-02-01", "channel": "call", "level": 1}"#, 422,
                    "invoice-not-overdue", "sentOn"
                ),
                (
                    "\(invoices[0])/reminders", #"{"sentOn": "2026-02-01", "channel": "call", "level": 4}"#, 422,
                    "validation-failed", "level"
                ),
                (
                    "\(invoices[0])/reminders", #"{"sentOn": "2026-02-01", "channel": "call", "level": 0}"#, 422,
                    "validation-failed", "level"
                ),
                (
                    "\(invoices[0])/reminders", #"{"sentOn": "2026-02-01", "channel": "fax", "level": 1}"#, 422,
                    "validation-failed", "channel"
                ),
            ]
            for refusal in refusals {
                let reply = try await client.send(
                    .post, "/v1/invoices/\(refusal.path)", token: accountant, json: refusal.json)
                #expect(reply.status == refusal.status, "\(refusal.json): \(reply.text)")
                #expect(reply.isProblem && reply.problemType == refusal.type, "\(refusal.json): \(reply.text)")
                #expect(reply.errorFields == [refusal.field], "\(refusal.json): \(reply.text)")
            }
            let unknown = try await client.send(
                .post, "/v1/invoices/00000000-0000-4000-8000-00000000dead/promises", token: accountant,
                json: #"{"promisedOn": "2026-02-10", "amountMinor": 1}"#)
            #expect(unknown.status == 404 && unknown.problemType == "invoice-not-found")
            #expect(try await fixture.eventCount() == before)
        }
    }

    @Test func thePerInvoiceListAsJSONAndCSVWithItsFiltersAndErasure() async throws {
        let fixture = try await APIFixture.make()
        let (accountant, admin, sales) = (
            fixture.tokens[.accountant]!, fixture.tokens[.admin]!, fixture.tokens[.sales]!
        )
        try await fixture.run { client in
            let invoices = try await Self.seed(client, fixture)
            for json in [
                #"{"madeOn": "2026-02-02", "promisedOn": "2026-02-10", "amountMinor": 4000}"#
            ] {
                let reply = try await client.send(
                    .post, "/v1/invoices/\(invoices[0])/promises", token: accountant, json: json)
                #expect(reply.status == 201, "\(reply.text)")
            }
            for (day, level) in [("2026-02-01", 1), ("2026-02-05", 3)] {
                let reply = try await client.send(
                    .post, "/v1/invoices/\(invoices[0])/reminders", token: accountant,
                    json: #"{"sentOn": "\#(day)", "channel": "email", "level": \#(level)}"#)
                #expect(reply.status == 201, "\(reply.text)")
            }
            try await ReportRouteTests.catchUp(fixture)

            let list = try await client.send(.get, "/v1/receivables/invoices?asOf=2026-03-01", token: accountant)
            #expect(list.status == 200, "\(list.text)")
            #expect(list["asOf"] == .string("2026-03-01") && list["next"] == .null)
            #expect(list["bucketLabels"] == .array(["current", "1-30", "31-60", "61-90", "90+"].map(JSONValue.string)))
            let rows = list["invoices"]?.reportItems ?? []
            #expect(rows.count == 1)
            let row = try #require(rows.first?.objectValue)
            #expect(row["invoiceId"] == .string(invoices[0]) && row["number"] == .string("C-1"))
            #expect(row["name"] == .string("ООО Ромашка") && row["openMinor"] == .integer(10_000))
            #expect(row["daysOverdue"] == .integer(29) && row["bucket"] == .string("1-30"))
            #expect(
                row["promise"]
                    == .object([
                        "madeOn": .string("2026-02-02"), "promisedOn": .string("2026-02-10"),
                        "amountMinor": .integer(4_000),
                        "state": .string("broken"),
                    ]))
            #expect(row["reminders"] == .integer(2))
            #expect(row["lastReminder"] == .object(["sentOn": .string("2026-02-05"), "level": .integer(3)]))

            let promiseOpen = try await client.send(
                .get, "/v1/receivables/invoices?asOf=2026-02-10&promise=open", token: accountant)
            #expect(promiseOpen["invoices"]?.reportItems?.count == 1)
            let none = try await client.send(
                .get, "/v1/receivables/invoices?asOf=2026-03-01&promise=none&clientId=\(Self.clientId)",
                token: accountant)
            #expect(none["invoices"]?.reportItems?.count == 0)
            let current = try await client.send(
                .get, "/v1/receivables/invoices?asOf=2026-01-31&overdueOnly=true", token: accountant)
            #expect(current["invoices"]?.reportItems?.count == 0)

            let csv = try await client.send(
                .get, "/v1/receivables/invoices?asOf=2026-03-01&limit=1", token: accountant,
                headers: [("Accept", "text/csv")])
            #expect(csv.status == 200 && csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"receivables-invoices-2026-03-01.csv\"")
            #expect(
                csv.text
                    == "invoiceId,number,clientId,name,currency,issuedOn,dueOn,amountMinor,openMinor,daysOverdue,bucket,"
                    + "promiseMadeOn,promisePromisedOn,promiseAmountMinor,promiseState,reminders,lastReminderSentOn,lastReminderLevel\r\n"
                    + "\(invoices[0]),C-1,\(Self.clientId),ООО Ромашка,RUB,2026-01-01,2026-01-31,10000,10000,29,1-30,"
                    + "2026-02-02,2026-02-10,4000,broken,2,2026-02-05,3\r\n")

            for bad in [
                "promise=late", "clientId=nope", "overdueOnly=yes", "buckets=60,30", "asOf=2026-02-30", "limit=0",
                "cursor=bm9wZQ",
            ] {
                let reply = try await client.send(.get, "/v1/receivables/invoices?\(bad)", token: accountant)
                #expect(reply.status == 422 && reply.isProblem, "\(bad): \(reply.text)")
                #expect(reply.errorFields == [String(bad.prefix { $0 != "=" })], "\(bad): \(reply.text)")
            }
            #expect(try await client.send(.get, "/v1/receivables/invoices", token: sales).status == 403)

            let erased = try await client.send(.delete, "/v1/clients/\(Self.clientId)/personal-data", token: admin)
            #expect(erased.status == 200, "\(erased.text)")
            try await ReportRouteTests.catchUp(fixture)
            let after = try await client.send(.get, "/v1/receivables/invoices?asOf=2026-03-01", token: accountant)
            let erasedRow = try #require(after["invoices"]?.reportItems?.first?.objectValue)
            #expect(erasedRow["name"] == .null && erasedRow["erasedFields"] == .array([.string("name")]))
            #expect(erasedRow["openMinor"] == .integer(10_000) && erasedRow["promise"] != .null)
        }
    }
}
