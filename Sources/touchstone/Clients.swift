import ArgumentParser
import Foundation
import HexText
import Projections
import Sales

/// `touchstone clients [QUERY]`: the clients directory, every page of it.
struct Clients: AsyncParsableCommand, ReportPrinting {
    static let configuration = CommandConfiguration(
        abstract: "Find clients by any part of their name (case-insensitive, any script).",
        discussion: """
            Without QUERY every client is listed. Ordered by the lowercased name (code point order), \
            then id; erased clients are listed last with no name and never match. Last touch and open \
            deals are as of today (UTC).
            """)

    @Argument(help: ArgumentHelp("Part of the name, at most 200 characters.", valueName: "query"))
    var search: String?

    @Option(help: "Keep only warm or cold leads.")
    var temperature: String?

    @Option(help: "Keep only clients registered with this source.")
    var source: String?

    @Flag(help: "Print the clients as JSON.")
    var json = false

    func run() async throws {
        let filter: ClientDirectory.Filter
        do {
            filter = try ClientDirectory.Filter(q: search, temperature: temperature, source: source)
        } catch let error as ProjectionError {
            throw fail(error.description)
        }
        let today = Instant(Date()).utcDate
        let clients = try await query { connection, personalData in
            var clients: [ClientDirectory.Entry] = []
            var cursor: String?
            repeat {
                let page = try ClientDirectory.query(
                    filter, limit: ClientDirectory.maximumLimit, cursor: cursor, today: today,
                    personalData: personalData, on: connection)
                clients += page.clients
                cursor = page.next
            } while cursor != nil
            return clients
        }
        if json { return printJSON(ClientDirectory(clients: clients, next: nil).json) }
        printTable(
            ["client", "name", "kind", "temperature", "source", "registered", "last touch", "open deals"],
            clients.map { client in
                [
                    client.clientId.canonical, client.name ?? (client.nameErased ? "(erased)" : ""), client.kind,
                    client.temperature ?? "-", client.source ?? "-", client.registeredOn?.description ?? "-",
                    client.lastTouchOn?.description ?? "-", "\(client.openDeals)",
                ]
            })
    }
}
