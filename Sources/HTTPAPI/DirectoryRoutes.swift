import Access
import EventStore
import Foundation
import HexText
import Hummingbird
import JSON
import Logging
import Projections
import Sales

/// `GET /v1/clients` (the clients directory: search by any part of the name, filters, pages) and
/// `GET /v1/clients/{clientId}` (one client's row and its history's state as of now), for every
/// role.
struct DirectoryRoutes: Sendable {
    /// The read models the directory is served from.
    let readModels: ReadModels
    /// The log, for the client's history state.
    let store: EventStore
    /// Where an ignored history snapshot is reported.
    let logger: Logger

    /// Registers both routes on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/clients") { [readModels] request, context -> Response in
            _ = try context.require(.readReports)
            let query = request.uri.queryParameters
            let filter = try reportParameter {
                try ClientDirectory.Filter(
                    q: query.get("q"), temperature: query.get("temperature"), source: query.get("source"))
            }
            let limit = try request.integerQuery(
                "limit", default: Int64(ClientDirectory.defaultLimit), range: 1...Int64(ClientDirectory.maximumLimit))
            let cursor = query.get("cursor")
            let directory = try await reportQuery(readModels) { connection, personalData in
                try ClientDirectory.query(
                    filter, limit: Int(limit), cursor: cursor, personalData: personalData, on: connection)
            }
            return directory.json.response()
        }
        router.get("/v1/clients/{clientId}") { [readModels, store, logger] _, context -> Response in
            _ = try context.require(.readReports)
            let clientId = try context.pathID("clientId")
            let today = Instant(Date()).utcDate
            let entry = try await reportQuery(readModels) { connection, personalData in
                try ClientDirectory.entry(clientId, today: today, personalData: personalData, on: connection)
            }
            let history = try await ClientHistory.page(
                clientId, asOf: today, knownAt: nil, after: 0, limit: 1, from: store,
                personalData: readModels.personalData, logger: logger)
            // A client registered a moment ago may not have reached the read model yet: the log
            // decides whether it exists.
            guard history.state.clientId == clientId else {
                throw Problem.rule(
                    SalesRuleViolation(.clientNotFound, "client \(clientId.canonical) is not registered"))
            }
            guard var row = entry?.json.objectValue else {
                throw Problem(
                    status: 503, code: "read-model-behind", title: "Read model behind",
                    detail: "the clients directory has not caught up with this client yet; try again shortly",
                    retryAfter: 1)
            }
            row["state"] = history.state.summary.json
            return JSONValue.object(row).response()
        }
    }
}
