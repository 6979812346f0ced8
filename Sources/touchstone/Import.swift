import ArgumentParser
import EventStore
import Foundation
import PQ
import Recording

/// `touchstone import FILE.ndjson`: one JSON command per line (the HTTP body plus `command` and
/// the path ids), validated and decided exactly as over HTTP. Every refused line is printed as
/// `line N: <reason>`; the rest are loaded. Exit 1 when any line was refused.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load commands from an NDJSON file.")

    @Argument(help: "The NDJSON file (one command per line).")
    var file: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw fail("cannot read \(file)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let summary = try await CommandLoading.load(total: lines.count) { importer, progress in
            try await importer.load(lines, progress: progress)
        }
        if !summary.rejections.isEmpty { throw ExitCode(1) }
    }
}

/// Runs an import against `DATABASE_URL` as `cli:<user>`, with a progress bar on a terminal,
/// printing every rejection and the summary.
enum CommandLoading {
    static func load(
        total: Int, _ body: (CommandImport, @escaping (Int) -> Void) async throws -> CommandImport.Summary
    ) async throws -> CommandImport.Summary {
        let logger = DatabaseEnvironment.logger("touchstone.import")
        let pool = ConnectionPool(conninfo: try DatabaseEnvironment.runtimeURL(), size: 2, logger: logger)
        defer { pool.close() }
        let personalData = try await DatabaseEnvironment.personalData(on: pool)
        let importer = CommandImport(
            recorder: CommandRecorder(
                store: EventStore(pool: pool, logger: logger), personalData: personalData, logger: logger),
            actor: DatabaseEnvironment.cliActor)
        let onTerminal = isatty(STDERR_FILENO) == 1
        let summary = try await body(importer) { done in
            guard onTerminal, done == total || done % 50 == 0 else { return }
            let width = 40
            let filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)\(done == total ? "\n" : "")".utf8))
        }
        for rejection in summary.rejections {
            print(rejection.description)
        }
        print("\(summary.loaded) loaded, \(summary.rejections.count) rejected")
        return summary
    }
}
