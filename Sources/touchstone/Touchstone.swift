import ArgumentParser
import Foundation
import Glibc
import HTTPAPI

/// The `touchstone` command: the server, the operator's tools and the back
/// office's reports, all against the database named by `DATABASE_URL`.
@main
struct Touchstone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "touchstone",
        abstract: "Touchstone: an event-sourced CRM backend on PostgreSQL.",
        subcommands: [
            Migrate.self,
            Serve.self,
            Import.self,
            Demo.self,
            Token.self, History.self,
            Board.self, Aging.self, ReceivablesList.self, Retention.self, FunnelReport.self, ObjectionsReport.self,
            ProjectionsCommand.self,
            Clients.self,
            Project.self, Forget.self, Keys.self,
        ]
    )

    /// Runs the command with the contract's exit codes: 0 success, 1 rejected
    /// input or failed check, 2 usage error (ArgumentParser's own would be 64).
    static func main() async {
        do {
            let environment = ProcessInfo.processInfo.environment
            guard let format = LogFormat.fromEnvironment(environment, errorIsTerminal: isatty(2) == 1) else {
                throw fail("LOG_FORMAT is '\(environment["LOG_FORMAT"] ?? "")'; give json or text")
            }
            format.bootstrap()
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            if code == .validationFailure {
                if !(error is ExitCode) {
                    FileHandle.standardError.write(Data("Run 'touchstone help' for usage.\n".utf8))
                }
                Foundation.exit(2)
            }
            Foundation.exit(code.rawValue)
        }
    }
}
