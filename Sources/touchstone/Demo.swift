import ArgumentParser
import Demo
import EventStore
import Foundation
import PQ
import Recording
import Sales

/// `touchstone demo`: loads a deterministic, realistic demo (clients, deals, orders, invoices,
/// payments, credit notes, a write-off, in RUB/EUR/USD) through the import path.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load realistic demo data.")

    @Flag(help: "Load only when the log is empty.")
    var ifEmpty = false

    @Option(help: "How many clients to make.")
    var clients = 36

    @Option(help: "The seed of ids and amounts (the same seed gives the same demo).")
    var seed: UInt64 = 2026

    func run() async throws {
        if ifEmpty {
            let logger = DatabaseEnvironment.logger("touchstone.demo")
            let pool = ConnectionPool(conninfo: try DatabaseEnvironment.runtimeURL(), size: 1, logger: logger)
            // Without a usable master key the demo refuses to start, whether or not it would load.
            _ = try await DatabaseEnvironment.personalData(on: pool)
            let head = try await EventStore(pool: pool, logger: logger).head()
            pool.close()
            if head.position > 0 {
                print("the log is not empty: demo not loaded")
                return
            }
        }
        let lines = DemoScript(clientCount: clients, seed: seed, today: Instant(Date()).utcDate).lines()
        let summary = try await CommandLoading.load(total: lines.count) { importer, _ in
            try await importer.load(lines)
        }
        if !summary.rejections.isEmpty { throw ExitCode(1) }
    }
}
