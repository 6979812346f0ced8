import Access
import Foundation
import HexText
import JSON
import PQ
import Recording
import Sales
import TestSupport
import Testing

/// The command line with and without the master key, as an operator meets it.
@Suite("Master key on the command line")
struct MasterKeyCommandLineTests {
    @Test func withoutAValidMasterKeyNothingStartsAndNothingIsWritten() async throws {
        let database = try await TestDatabase.make()
        let base = ["DATABASE_URL": database.url, "HOME": NSTemporaryDirectory()]
        for (arguments, extra, variable) in [
            (["serve", "--port", "0"], [:], "TOUCHSTONE_MASTER_KEY"),
            (["project"], [:], "TOUCHSTONE_MASTER_KEY"),
            (["projections", "rebuild", "--all"], [:], "TOUCHSTONE_MASTER_KEY"),
            (["clients", "acme"], [:], "TOUCHSTONE_MASTER_KEY"),
            (["demo"], ["TOUCHSTONE_MASTER_KEY": "bm90IGEga2V5"], "TOUCHSTONE_MASTER_KEY"),
            (
                ["forget", UUID().canonical], ["TOUCHSTONE_MASTER_KEY_FILE": "/nonexistent/master.key"],
                "TOUCHSTONE_MASTER_KEY_FILE"
            ),
            (
                ["aging"], ["TOUCHSTONE_MASTER_KEY": database.masterKey.base64, "TOUCHSTONE_PREVIOUS_MASTER_KEY": "x"],
                "TOUCHSTONE_PREVIOUS_MASTER_KEY"
            ),
        ] as [([String], [String: String], String)] {
            let outcome = try TouchstoneProcess.run(arguments, environment: base.merging(extra) { $1 })
            #expect(outcome.status == 1, "\(arguments): \(outcome.errors)")
            #expect(outcome.errors.hasPrefix("touchstone: ") && outcome.errors.contains(variable), "\(outcome.errors)")
            #expect(outcome.errors.split(separator: "\n").count == 1, "\(outcome.errors)")
        }
        let written: Int64 = try await database.pool.withConnection { connection in
            try connection.query("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM personal_data_keys)")
                .first?.decode(0) ?? -1
        }
        #expect(written == 0)
    }

    /// `projections status` and `projections rebuild` go through the read models, as the API
    /// does: with the master key, they list and rebuild; without it, they refuse in one line.
    @Test func projectionsStatusAndRebuildGoThroughTheReadModels() async throws {
        let database = try await TestDatabase.make()
        let base = ["DATABASE_URL": database.url, "HOME": NSTemporaryDirectory()]
        let key = ["TOUCHSTONE_MASTER_KEY": database.masterKey.base64]
        let status = try TouchstoneProcess.run(
            ["projections", "status", "--json"], environment: base.merging(key) { $1 })
        #expect(status.status == 0, "\(status.errors)")
        guard case .array(let entries)? = try JSONValue(parsing: Data(status.output.utf8)).objectValue?["projections"]
        else {
            Issue.record("no projections in \(status.output)")
            return
        }
        let names = entries.compactMap { $0.objectValue?["name"]?.stringValue }
        #expect(names.contains("aging") && names.contains("board"), "\(status.output)")
        let rebuilt = try TouchstoneProcess.run(
            ["projections", "rebuild", "aging"], environment: base.merging(key) { $1 })
        #expect(
            rebuilt.status == 0 && rebuilt.output.contains("aging: generation"), "\(rebuilt.output) \(rebuilt.errors)")
        let refused = try TouchstoneProcess.run(["projections", "status"], environment: base)
        #expect(refused.status == 1 && refused.errors.contains("TOUCHSTONE_MASTER_KEY"), "\(refused.errors)")
    }

    @Test func anotherDatabasesKeyIsRefusedAndTheRightOneForgets() async throws {
        let database = try await TestDatabase.make()
        let recorder = CommandRecorder(
            store: database.store, personalData: database.personalData, logger: TestDatabase.logger)
        let client = UUID()
        try await recorder.registerClient(client, name: "Forget Me Now", kind: "person")
        let base = ["DATABASE_URL": database.url, "HOME": NSTemporaryDirectory()]
        let wrong = try TouchstoneProcess.run(
            ["forget", client.canonical],
            environment: base.merging(["TOUCHSTONE_MASTER_KEY": MasterKey.random().base64]) { $1 })
        #expect(wrong.status == 1 && wrong.errors.contains("is not the master key of this database"), "\(wrong.errors)")

        let key = ["TOUCHSTONE_MASTER_KEY": database.masterKey.base64]
        let shown = try TouchstoneProcess.run(["history", client.canonical], environment: base.merging(key) { $1 })
        #expect(shown.status == 0 && shown.output.contains("Forget Me Now"), "\(shown.errors)")
        let forgotten = try TouchstoneProcess.run(["forget", client.canonical], environment: base.merging(key) { $1 })
        #expect(forgotten.status == 0, "\(forgotten.errors)")
        let receipt = try JSONValue(parsing: Data(forgotten.output.utf8)).objectValue ?? [:]
        #expect(receipt["clientId"] == .string(client.canonical) && receipt["events"] == .integer(1))
        let again = try TouchstoneProcess.run(["forget", client.canonical], environment: base.merging(key) { $1 })
        #expect(again.status == 0 && again.output == forgotten.output)
        let after = try TouchstoneProcess.run(
            ["history", client.canonical, "--json"], environment: base.merging(key) { $1 })
        #expect(
            after.status == 0 && !after.output.contains("Forget Me Now")
                && after.output.contains(#""erasedFields":["name"]"#))
        let unknown = try TouchstoneProcess.run(["forget", UUID().canonical], environment: base.merging(key) { $1 })
        #expect(unknown.status == 1 && unknown.errors.contains("is not registered"), "\(unknown.errors)")
    }

    @Test func keysRotateOntoANewMasterKeyThatAloneOpensTheValuesAfterwards() async throws {
        let database = try await TestDatabase.make()
        let client = UUID()
        let sealed = try await database.pool.withConnection { connection in
            try database.personalData.sealingKey(for: client, on: connection).seal("Rotated Name")
        }
        let base = ["DATABASE_URL": database.url, "HOME": NSTemporaryDirectory()]
        let newKey = MasterKey.random()
        let rotating = base.merging([
            "TOUCHSTONE_MASTER_KEY": newKey.base64, "TOUCHSTONE_PREVIOUS_MASTER_KEY": database.masterKey.base64,
        ]) { $1 }
        let before = try TouchstoneProcess.run(["keys", "status"], environment: rotating)
        #expect(
            before.status == 0 && before.output.contains("\(database.masterKey.fingerprint): 1 data keys"),
            "\(before.errors)")
        let rotated = try TouchstoneProcess.run(["keys", "rotate"], environment: rotating)
        #expect(rotated.status == 0 && rotated.output.hasPrefix("rewrapped 1 data key(s)"), "\(rotated.errors)")
        let after = try TouchstoneProcess.run(
            ["keys", "status"], environment: base.merging(["TOUCHSTONE_MASTER_KEY": newKey.base64]) { $1 })
        #expect(after.status == 0 && after.output.contains("\(newKey.fingerprint): 1 data keys"), "\(after.errors)")
        let generated = try TouchstoneProcess.run(["keys", "generate"], environment: [:])
        #expect(
            generated.status == 0
                && Data(base64Encoded: generated.output.trimmingCharacters(in: .whitespacesAndNewlines))?.count == 32)
        let opener = try await database.pool.withConnection { connection in
            try PersonalDataKeys(masterKeys: MasterKeyring(current: newKey)).opener(for: [sealed], on: connection)
        }
        #expect(try opener.open(sealed).text == "Rotated Name")
    }
}
