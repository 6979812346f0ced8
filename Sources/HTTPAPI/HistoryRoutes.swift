import Access
import EventStore
import Foundation
import HexText
import Hummingbird
import JSON
import Logging
import Projections
import Sales

/// `GET /v1/clients/{clientId}/history`: every event of a client's streams in log order, filtered
/// by `asOf`/`knownAt`, paged by position (only the page's range is read), with the client's state
/// after the whole filtered replay (from the nearest snapshot that counts, see ``ClientHistory/page``).
struct HistoryRoutes: Sendable {
    /// The log.
    let store: EventStore
    /// The keys that open the client's personal values.
    let personalData: PersonalDataKeys
    /// Where an ignored snapshot is reported.
    let logger: Logger

    /// Registers the history on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/clients/{clientId}/history") { [store, personalData, logger] request, context -> Response in
            _ = try context.require(.readReports)
            let clientId = try context.pathID("clientId")
            let window = try ReportWindow(request: request)
            let after = try request.integerQuery("after", default: 0, range: 0...Int64.max)
            let limit = try request.integerQuery("limit", default: 100, range: 1...1000)
            let history = try await ClientHistory.page(
                clientId, asOf: window.asOf, knownAt: window.knownAt, after: after, limit: Int(limit), from: store,
                personalData: personalData, logger: logger)
            guard history.state.clientId == clientId else {
                throw Problem.rule(
                    SalesRuleViolation(.clientNotFound, "client \(clientId.canonical) is not registered"))
            }
            let next: JSONValue = history.next.map { .integer($0) } ?? .null
            return JSONValue.object([
                "clientId": .string(clientId.canonical),
                "asOf": .string(window.asOf.description),
                "knownAt": .string(orNull: window.knownAt?.description),
                "events": .array(history.entries.map(\.opened.feedJSON)),
                "state": history.state.summary.json,
                "next": next,
            ]).response()
        }
    }
}
