import ArgumentParser

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
            Board.self, Aging.self, Retention.self, FunnelReport.self, ProjectionsCommand.self, Project.self,
        ]
    )
}
