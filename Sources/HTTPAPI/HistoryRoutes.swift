import EventStore
import Foundation
import Hummingbird
import Sales

/// `GET /v1/clients/{clientId}/history`: every event of a client's streams in log order, filtered
/// by `asOf`/`knownAt`, paged by position, with the client's state after the whole filtered replay.
struct HistoryRoutes: Sendable {
    /// The log.
    let store: EventStore

    /// Registers the history on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/clients/{clientId}/history") { [store] request, context -> Response in
            _ = try context.require(.readReports)
            let clientId = try context.pathID("clientId")
            let time = try ReportTime(request: request)
            let after = try request.integerQuery("after", default: 0, range: 0...Int64.max)
            let limit = try request.integerQuery("limit", default: 100, range: 1...1000)
            var kept = [(recorded: RecordedEvent, event: SalesEvent)]()
            for recorded in try await store.readClient(clientId) {
                guard let recordedAt = Instant(recorded.recordedAt), time.knows(recordedAt: recordedAt) else { continue }
                let event = try SalesEvent.decode(
                    type: recorded.type, schemaVersion: recorded.schemaVersion, data: Data(recorded.data.utf8))
                if event.businessDate <= time.asOf { kept.append((recorded, event)) }
            }
            let state = ClientHistoryState.replay(kept.map(\.event))
            guard state.clientId == clientId else {
                throw Problem.rule(
                    SalesRuleViolation(.clientNotFound, "client \(clientId.canonical) is not registered"))
            }
            let remaining = kept.filter { $0.recorded.position > after }
            let page = remaining.prefix(Int(limit))
            let next: JSONValue = remaining.count > page.count ? .integer(page.last?.recorded.position ?? after) : .null
            return JSONValue.object([
                "clientId": .string(clientId.canonical),
                "asOf": .string(time.asOf.description),
                "knownAt": .string(orNull: time.knownAt?.description),
                "events": .array(page.map(\.recorded.feedJSON)),
                "state": state.summary.json,
                "next": next,
            ]).response()
        }
    }
}
