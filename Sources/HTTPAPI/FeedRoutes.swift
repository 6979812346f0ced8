import Access
import EventStore
import Hummingbird
import JSON
import PQ
import Projections
import Sales

/// `GET /v1/events`: the global log in position order, for integrations.
struct FeedRoutes: Sendable {
    /// The log.
    let store: EventStore
    /// The keys that open personal values.
    let personalData: PersonalDataKeys

    /// Registers the feed on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/events") { [store, personalData] request, context -> Response in
            _ = try context.require(.readReports)
            let after = try request.integerQuery("after", default: 0, range: 0...Int64.max)
            let limit = try request.integerQuery("limit", default: 100, range: 1...1000)
            let events = try await store.readAll(after: after, limit: Int(limit))
            let opened = try await store.pool.withConnection { connection in
                try OpenedEvent.open(events, personalData: personalData, on: connection)
            }
            return JSONValue.object([
                "events": .array(opened.map(\.feedJSON)),
                "next": .integer(events.last?.position ?? after),
            ]).response()
        }
    }
}
