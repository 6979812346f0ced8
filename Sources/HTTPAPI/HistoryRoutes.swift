import Access
import EventStore
import Foundation
import Hummingbird
import Projections
import Sales

/// `GET /v1/clients/{clientId}/history`: every event of a client's streams in log order, filtered
/// by `asOf`/`knownAt`, paged by position, with the client's state after the whole filtered replay.
struct HistoryRoutes: Sendable {
    /// The log.
    let store: EventStore
    /// The keys that open the client's personal values.
    let personalData: PersonalDataKeys

    /// Registers the history on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/clients/{clientId}/history") { [store, personalData] request, context -> Response in
            _ = try context.require(.readReports)
            let clientId = try context.pathID("clientId")
            let window = try ReportWindow(request: request)
            let after = try request.integerQuery("after", default: 0, range: 0...Int64.max)
            let limit = try request.integerQuery("limit", default: 100, range: 1...1000)
            let history = try await ClientHistory.read(
                clientId, window: window, from: store, personalData: personalData)
            guard history.state.clientId == clientId else {
                throw Problem.rule(
                    SalesRuleViolation(.clientNotFound, "client \(clientId.canonical) is not registered"))
            }
            let remaining = history.entries.filter { $0.recorded.position > after }
            let page = remaining.prefix(Int(limit))
            let next: JSONValue = remaining.count > page.count ? .integer(page.last?.recorded.position ?? after) : .null
            return JSONValue.object([
                "clientId": .string(clientId.canonical),
                "asOf": .string(window.asOf.description),
                "knownAt": .string(orNull: window.knownAt?.description),
                "events": .array(page.map(\.opened.feedJSON)),
                "state": history.state.summary.json,
                "next": next,
            ]).response()
        }
    }
}
