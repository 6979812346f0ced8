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

/// `touchstone clients [QUERY]`: the directory from the command line, and its refusals.
@Suite("Clients directory on the command line")
struct ClientsCommandLineTests {
    @Test func findsClientsByPartOfTheNameAndRefusesBadInputWithOneLine() async throws {
        let database = try await TestDatabase.make()
        let recorder = CommandRecorder(
            store: database.store, personalData: database.personalData, logger: TestDatabase.logger)
        let (romashka, other) = (UUID(), UUID())
        for (client, name) in [(romashka, "ООО Ромашка"), (other, "Nordlicht GmbH")] {
            try await recorder.registerClient(client, name: name)
        }
        try await database.pool.withConnection { connection in
            while try ProjectionRegistry.applyNextBatch(
                .directory, batchSize: 100, personalData: database.personalData, on: connection) > 0
            {}
        }
        let environment = [
            "DATABASE_URL": database.url, "HOME": NSTemporaryDirectory(),
            "TOUCHSTONE_MASTER_KEY": database.masterKey.base64,
        ]
        let found = try TouchstoneProcess.run(["clients", "РОМ", "--json"], environment: environment)
        #expect(found.status == 0, "\(found.errors)")
        let json = try JSONValue(parsing: Data(found.output.utf8))
        guard case .array(let rows)? = json.objectValue?["clients"] else {
            Issue.record("no clients: \(found.output)")
            return
        }
        #expect(rows.map { $0.objectValue?["clientId"] } == [.string(romashka.canonical)])
        #expect(rows.first?.objectValue?["name"] == .string("ООО Ромашка") && json.objectValue?["next"] == .null)
        let table = try TouchstoneProcess.run(["clients"], environment: environment)
        #expect(table.status == 0 && table.output.contains("Nordlicht GmbH") && table.output.contains("ООО Ромашка"))
        let nordlicht = table.output.range(of: "Nordlicht")?.lowerBound
        let romashkaRow = table.output.range(of: "Ромашка")?.lowerBound
        #expect(nordlicht != nil && romashkaRow != nil && nordlicht! < romashkaRow!, "ordered by lowercased name")
        for arguments in [["clients", String(repeating: "x", count: 201)], ["clients", "--temperature", "hot"]] {
            let refused = try TouchstoneProcess.run(arguments, environment: environment)
            #expect(refused.status == 1, "\(arguments): \(refused.errors)")
            #expect(
                refused.errors.hasPrefix("touchstone: ") && refused.errors.split(separator: "\n").count == 1,
                "\(refused.errors)")
        }
    }
}
