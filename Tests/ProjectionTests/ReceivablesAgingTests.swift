import Foundation
import JSON
import Projections
import Sales
import Testing

@Suite("Receivables aging")
struct ReceivablesAgingTests {
    @Test func agesOpenBalancesWithPaymentsCreditNotesWriteOffsAndCurrencies() async throws {
        let log = try await SalesLog.make()
        let client = UUID.numbered(1)
        let (i1, i2, i3, i4) = (UUID.numbered(11), UUID.numbered(12), UUID.numbered(13), UUID.numbered(14))
        try await log.client(client, name: "Acme", registeredOn: "2025-10-01")
        try await log.invoice(i1, client: client, issuedOn: "2026-01-01", dueOn: "2026-01-31", amount: 10_000)
        try await log.invoice(i2, client: client, issuedOn: "2026-02-01", dueOn: "2026-03-02", amount: 2_000)
        try await log.invoice(i3, client: client, issuedOn: "2026-01-01", dueOn: "2026-01-01", amount: 3_000)
        try await log.invoice(
            i4, client: client, issuedOn: "2025-11-01", dueOn: "2025-12-01", amount: 700, currency: "USD")
        try await log.payment(client: client, receivedOn: "2026-02-10", amount: 4_000, allocations: [(i1, 4_000)])
        try await log.append(
            "CreditNoteIssued", stream: "receivables-\(client.lower)", client: client,
            [
                "creditNoteId": UUID().lower, "invoiceId": i1.lower, "clientId": client.lower, "issuedOn": "2026-02-15",
                "amountMinor": 1_000, "currency": "RUB", "reason": "damaged",
            ])
        try await log.append(
            "InvoiceWrittenOff", stream: "receivables-\(client.lower)", client: client,
            [
                "invoiceId": i3.lower, "clientId": client.lower, "writtenOffOn": "2026-02-01", "amountMinor": 3_000,
                "currency": "RUB", "reason": "bankrupt",
            ])
        try await log.payment(client: client, receivedOn: "2026-03-05", amount: 2_000, allocations: [(i2, 2_000)])
        try await log.payment(client: client, receivedOn: "2026-02-20", amount: 500, allocations: [], unapplied: 500)
        let knownAt = try await log.now()
        try await log.payment(client: client, receivedOn: "2026-02-25", amount: 1_000, allocations: [(i1, 1_000)])
        try await log.catchUp()

        let march2 = try await log.query {
            try ReceivablesAging.query(window: ReportWindow.day("2026-03-02"), personalData: log.personalData, on: $0)
        }
        #expect(march2.bucketLabels == ["current", "1-30", "31-60", "61-90", "90+"])
        #expect(march2.rows.map(\.currency) == ["RUB", "USD"])
        #expect(march2.rows[0].name == "Acme")
        // i1: 10000 − 4000 − 1000 − 1000 (back-dated) = 4000, 30 days overdue; i2 due on asOf: current.
        #expect(
            march2.rows[0].amounts
                == .init(totalMinor: 6_000, buckets: [2_000, 4_000, 0, 0, 0], unappliedCreditMinor: 500))
        // i4: 91 days overdue.
        #expect(march2.rows[1].amounts == .init(totalMinor: 700, buckets: [0, 0, 0, 0, 700], unappliedCreditMinor: 0))
        #expect(march2.totals["RUB"]?.totalMinor == 6_000)

        let before = try await log.query {
            try ReceivablesAging.query(
                window: ReportWindow.day("2026-03-02", knownAt: knownAt), personalData: log.personalData, on: $0)
        }
        #expect(before.rows[0].amounts.totalMinor == 7_000)

        let march5 = try await log.query {
            try ReceivablesAging.query(window: ReportWindow.day("2026-03-05"), personalData: log.personalData, on: $0)
        }
        // i2 paid on 03-05; i1 33 days overdue.
        #expect(
            march5.rows[0].amounts == .init(totalMinor: 4_000, buckets: [0, 0, 4_000, 0, 0], unappliedCreditMinor: 500))

        let march3 = try await log.query {
            try ReceivablesAging.query(window: ReportWindow.day("2026-03-03"), personalData: log.personalData, on: $0)
        }
        // i1 31 days overdue (31-60), i2 1 day (1-30).
        #expect(march3.rows[0].amounts.buckets == [0, 2_000, 4_000, 0, 0])

        let custom = try await log.query {
            try ReceivablesAging.query(
                window: ReportWindow.day("2026-03-02"), edges: try ReceivablesAging.edges("10,30"),
                personalData: log.personalData, on: $0)
        }
        #expect(custom.bucketLabels == ["current", "1-10", "11-30", "30+"])
        #expect(custom.rows[0].amounts.buckets == [2_000, 0, 4_000, 0])
        #expect(
            custom.csv.text().hasPrefix(
                "clientId,name,currency,totalMinor,current,1-10,11-30,30+,unappliedCreditMinor\r\n"))

        let january = try await log.query {
            try ReceivablesAging.query(window: ReportWindow.day("2026-01-15"), personalData: log.personalData, on: $0)
        }
        // i3 not yet written off: 14 days overdue; i1 current; i2 not issued.
        #expect(
            january.rows[0].amounts
                == .init(totalMinor: 13_000, buckets: [10_000, 3_000, 0, 0, 0], unappliedCreditMinor: 0))
    }

    @Test func refusesInvalidEdgesAndPagesByCursor() async throws {
        for bad in ["30,20", "0,30", "a", "30,,60", "-1", ""] {
            #expect(throws: ProjectionError.self) { try ReceivablesAging.edges(bad) }
        }
        #expect(try ReceivablesAging.edges(nil) == [30, 60, 90])
        #expect(throws: ReportWindowError.self) { try ReportWindow(asOf: "2026-02-30", knownAt: nil) }
        #expect(throws: ReportWindowError.self) { try ReportWindow(asOf: nil, knownAt: "yesterday") }
        let window = try ReportWindow(asOf: nil, knownAt: "2026-03-01T23:59:59.9999999Z")
        #expect(window.asOf.description == "2026-03-01")
        #expect(window.knownAt?.description == "2026-03-01T23:59:59.999999Z")

        let log = try await SalesLog.make()
        for number in 1...5 {
            let client = UUID.numbered(number)
            try await log.client(client, name: "C\(number)", registeredOn: "2026-01-01")
            try await log.invoice(
                UUID(), client: client, issuedOn: "2026-01-01", dueOn: "2026-01-10",
                amount: Int64(100 * (number % 3 + 1)))
        }
        try await log.catchUp()
        let aging = try await log.query {
            try ReceivablesAging.query(window: ReportWindow.day("2026-02-01"), personalData: log.personalData, on: $0)
        }
        #expect(aging.rows.map(\.amounts.totalMinor) == [300, 300, 200, 200, 100])
        var seen: [UUID] = []
        var cursor: String?
        repeat {
            let page = try await log.query { [cursor] in
                try ReceivablesAging.query(
                    window: ReportWindow.day("2026-02-01"), limit: 2, cursor: cursor, personalData: log.personalData,
                    on: $0)
            }
            #expect(page.totals == aging.totals)
            seen += page.rows.map(\.clientId)
            cursor = page.next
        } while cursor != nil
        #expect(seen == [2, 5, 1, 4, 3].map(UUID.numbered))
        await #expect(throws: ProjectionError.self) {
            try await log.query {
                try ReceivablesAging.query(
                    window: ReportWindow.day("2026-02-01"), limit: 2, cursor: "bm9wZQ", personalData: log.personalData,
                    on: $0)
            }
        }
    }
}

extension ReportWindow {
    static func day(_ asOf: String, knownAt: String? = nil) -> ReportWindow {
        try! ReportWindow(asOf: asOf, knownAt: knownAt)
    }
}
