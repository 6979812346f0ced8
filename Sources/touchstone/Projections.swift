import ArgumentParser
import EventStore
import Foundation
import Glibc
import JSON
import Logging
import PQ
import Projections
import Sales
import ServiceLifecycle
import UnixSignals

/// `touchstone projections status | rebuild`: the read models' state and their blue/green rebuild.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections", abstract: "Show or rebuild the read models.",
        subcommands: [Status.self, Rebuild.self])

    /// `projections status`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each read model's version, position, lag and state.")

        @Flag(help: "Print {\"projections\": [...]} as JSON.")
        var json = false

        func run() async throws {
            let statuses = try await DatabaseEnvironment.withReadModels(
                logger: DatabaseEnvironment.logger("touchstone.projections")
            ) {
                try await $0.statuses()
            }
            if json {
                return print(
                    String(
                        decoding: JSONValue.object(["projections": .array(statuses.map(\.json))]).serialized(),
                        as: UTF8.self))
            }
            printTable(
                ["name", "served by", "version", "position", "lag events", "lag s", "state", "rebuild"],
                statuses.map { status in
                    [
                        status.name, status.servedBy ?? "", "\(status.version)", "\(status.position)",
                        "\(status.lagEvents)",
                        String(format: "%.1f", status.lagSeconds), status.state,
                        status.rebuild.map { "\($0.eventsDone)/\($0.eventsTotal)" } ?? (status.lastRebuildError ?? ""),
                    ]
                })
        }
    }

    /// `projections rebuild NAME | --all`.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild read models from the whole log beside the live ones, then swap them in.")

        @Argument(
            help: "The read model (board, aging, retention; funnel and objections rebuild board, which serves them).")
        var name: String?

        @Flag(help: "Rebuild every read model.")
        var all = false

        @Option(help: "Database connections the rebuild works on at once.")
        var connections = 2

        func validate() throws {
            guard (name != nil) != all else { throw ValidationError("name one read model or pass --all") }
            guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        }

        func run() async throws {
            let projections: [Projection]
            if all {
                projections = Projection.all
            } else if let name, let projection = Projection.named(name) {
                projections = [projection]
                if projection.name != name {
                    print("\(name) is served by the \(projection.name) read model: rebuilding \(projection.name)")
                }
            } else {
                throw fail(
                    "no read model is called '\(name ?? "")' (board, aging, retention, directory, funnel, objections)")
            }
            var logger = DatabaseEnvironment.logger("touchstone.rebuild")
            // The progress bar and the outcome lines say what info logs would;
            // keep them from interleaving unless LOG_LEVEL asks for more.
            if ProcessInfo.processInfo.environment["LOG_LEVEL"] == nil { logger.logLevel = .warning }
            // Rebuilt together: each batch of the log is read once for all of them.
            let outcomes = try await DatabaseEnvironment.withReadModels(size: 2, logger: logger) { readModels in
                let work = Task { try await readModels.rebuild(projections, connections: connections) }
                let names = projections.map(\.name)
                let progress =
                    isatty(STDERR_FILENO) == 1
                    ? Task { try await showProgress(of: names, readModels: readModels) } : nil
                defer { progress?.cancel() }
                do {
                    let outcomes = try await work.value
                    progress?.cancel()
                    _ = await progress?.result
                    return outcomes
                } catch let error as ProjectionError {
                    throw fail(error.description)
                }
            }
            var failed = false
            for (projection, outcome) in zip(projections, outcomes) {
                switch outcome {
                case .swapped(let generation, let position, let matched):
                    print(
                        "\(projection.name): generation \(generation) live at position \(position)"
                            + (matched ? " (checksum equal to the previous one)" : " (new version)"))
                case .mismatch(let live, let rebuilt):
                    failed = true
                    print("\(projection.name): rebuilt read model differs from the live one; not swapped")
                    for (left, right) in zip(live, rebuilt) where left != right {
                        print("  live \(left)\n  new  \(right)")
                    }
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

/// Draws a progress bar on standard error until cancelled: events done, events/s, ETA of the
/// rebuild of `names` (rebuilt together, they advance together; the slowest one is shown).
private func showProgress(of names: [String], readModels: ReadModels) async throws {
    defer { FileHandle.standardError.write(Data("\n".utf8)) }
    let label = names.joined(separator: ", ")
    while !Task.isCancelled {
        try await Task.sleep(for: .milliseconds(250))
        let statuses = try await readModels.statuses()
        let running = statuses.filter { names.contains($0.name) }.compactMap(\.rebuild)
        guard let rebuild = running.min(by: { $0.eventsDone < $1.eventsDone }) else { continue }
        let fraction = rebuild.eventsTotal > 0 ? Double(rebuild.eventsDone) / Double(rebuild.eventsTotal) : 0
        let filled = Int(fraction * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        let eta = rebuild.etaSeconds.map { String(format: "%.0fs", $0) } ?? "?"
        let line = String(
            format: "\r%@ [%@] %lld/%lld events  %.0f ev/s  ETA %@", label, bar, rebuild.eventsDone,
            rebuild.eventsTotal,
            rebuild.eventsPerSecond, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// `touchstone project`: runs the projection runner alone until SIGTERM or SIGINT.
struct Project: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Keep the read models up to date (no HTTP).")

    func run() async throws {
        let logger = DatabaseEnvironment.logger("touchstone.project")
        let conninfo = try DatabaseEnvironment.runtimeURL()
        let pool = ConnectionPool(conninfo: conninfo, size: 1, logger: logger)
        defer { pool.close() }
        let personalData = try await DatabaseEnvironment.personalData(on: pool)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: ProjectionRunner(
                            pool: pool, conninfo: conninfo, personalData: personalData, logger: logger)),
                    .init(service: LogPartitions(pool: pool, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
