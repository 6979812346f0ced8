import Access
import Foundation
import HexText
import JSON
import PQ
import Projections
import Recording
import Sales
import TestSupport
import Testing

/// `touchstone receivables` as an accountant runs it: a table, `--json`, `--csv`, and one line
/// with exit 1 for bad input.
@Suite("touchstone receivables")
struct ReceivablesCommandLineTests {
    @Test func listsTheOpenInvoicesAsATableJSONAndCSVAndRefusesBadInput() async throws {
        let database = try await TestDatabase.make()
        let recorder = CommandRecorder(
            store: database.store, personalData: database.personalData, logger: TestDatabase.logger)
        let (client, invoice) = (UUID(), UUID())
        let lines: [(CommandName, [String: JSONValue])] = [
            (
                .registerClient,
                ["clientId": .string(client.canonical), "name": .string("Волжский Хлеб"), "kind": .string("company")]
            ),
            (
                .issueInvoice,
                [
                    "clientId": .string(client.canonical), "invoiceId": .string(invoice.canonical),
                    "number": .string("VH-1"),
                    "issuedOn": .string("2026-01-01"), "dueOn": .string("2026-01-31"), "amountMinor": .integer(10_000),
                    "currency": .string("RUB"),
                ]
            ),
            (
                .promisePayment,
                [
                    "madeOn": .string("2026-02-01"), "promisedOn": .string("2026-02-05"),
                    "amountMinor": .integer(3_000),
                ]
            ),
            (
                .sendPaymentReminder,
                ["sentOn": .string("2026-02-02"), "channel": .string("call"), "level": .integer(2)]
            ),
        ]
        for (name, body) in lines {
            let entry = CommandEntry.of(name)
            _ = try await recorder.record(
                try entry.parse(.object(body), ids: entry.bindIDs { _ in invoice }, recordedAt: Instant(Date())),
                actor: "cli:test")
        }
        try await database.pool.withConnection { connection in
            while try ProjectionRegistry.applyNextBatch(
                .aging, batchSize: 100, personalData: database.personalData, on: connection) > 0
            {}
        }
        let environment = [
            "DATABASE_URL": database.url, "HOME": NSTemporaryDirectory(),
            "TOUCHSTONE_MASTER_KEY": database.masterKey.base64,
        ]
        let table = try TouchstoneProcess.run(
            ["receivables", "--as-of", "2026-03-01", "--overdue-only"], environment: environment)
        #expect(table.status == 0, "\(table.errors)")
        #expect(
            table.output.contains("VH-1") && table.output.contains("Волжский Хлеб")
                && table.output.contains("broken 3000 by 2026-02-05"))
        #expect(table.output.contains("2026-02-02 level 2"), "\(table.output)")

        let json = try TouchstoneProcess.run(
            ["receivables", "--as-of", "2026-03-01", "--promise", "broken", "--client", client.canonical, "--json"],
            environment: environment)
        #expect(json.status == 0, "\(json.errors)")
        let rows = try JSONValue(parsing: Data(json.output.utf8)).objectValue?["invoices"]?.reportItems ?? []
        #expect(rows.count == 1 && rows.first?.objectValue?["openMinor"] == .integer(10_000))

        let csv = try TouchstoneProcess.run(
            ["receivables", "--as-of", "2026-03-01", "--csv"], environment: environment)
        #expect(csv.status == 0)
        #expect(csv.output.hasPrefix(ReceivablesByInvoice.csvHeader.joined(separator: ",") + "\r\n"))
        #expect(csv.output.contains(",VH-1,") && csv.output.hasSuffix(",broken,1,2026-02-02,2\r\n"), "\(csv.output)")

        for arguments in [
            ["receivables", "--promise", "late"], ["receivables", "--client", "nope"],
            ["receivables", "--as-of", "2026-02-30"],
            ["receivables", "--buckets", "60,30"],
        ] {
            let refused = try TouchstoneProcess.run(arguments, environment: environment)
            #expect(refused.status == 1, "\(arguments): \(refused.errors)")
            #expect(
                refused.errors.hasPrefix("touchstone: ") && refused.errors.split(separator: "\n").count == 1,
                "\(refused.errors)")
        }
        #expect(try TouchstoneProcess.run(["receivables", "--bom"], environment: environment).status == 2)
    }
}
