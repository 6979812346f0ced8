import EventStore
import Foundation
import JSON
import Projections
import Sales
import TestSupport
import Testing

@Suite("Schema evolution")
struct SchemaEvolutionTests {
    @Test func aLogWithBothTouchVersionsRebuildsIntoTheSameReadModel() async throws {
        let log = try await SalesLog.make()
        let (old, new) = (UUID.numbered(1), UUID.numbered(2))
        for client in [old, new] { try await log.client(client, name: "C", registeredOn: "2026-01-01") }
        let v1Payload: [String: Any] = [
            "touchId": UUID().lower, "clientId": old.lower, "channel": "call", "direction": "outbound",
            "occurredAt": "2026-05-31T23:59:59.9999999Z",
        ]
        try await log.append("TouchRecorded", stream: "client-\(old.lower)", client: old, schemaVersion: 1, v1Payload)
        let current = TouchRecorded(
            touchId: UUID(), clientId: new, channel: .call, direction: .outbound,
            occurredAt: Instant("2026-05-31T23:59:59.9999999Z")!)
        #expect(SalesEvent.touchRecorded(current).schemaVersion == 2)
        _ = try await log.database.store.append(
            to: try StreamID("client-\(new.lower)"), expected: .any,
            events: [
                NewEvent(
                    type: current.event.type, schemaVersion: current.event.schemaVersion,
                    data: String(decoding: current.event.encode(), as: UTF8.self),
                    metadata: EventMetadata(actor: "test"), occurredAt: current.occurredAt.description)
            ], clientID: new)

        // The domain reads version 1 through the upcaster.
        let stored = try await log.database.store.readStream(try StreamID("client-\(old.lower)"))
        let upcast = try SalesEvent.decode(
            type: stored[1].type, schemaVersion: stored[1].schemaVersion, data: Data(stored[1].data.utf8))
        guard case .touchRecorded(let touch) = upcast else { Issue.record("not a touch"); return }
        #expect(touch.occurredOn.description == "2026-05-31")
        #expect(String(decoding: current.event.encode(), as: UTF8.self).contains(#""occurredOn":"2026-05-31""#))

        try await log.catchUp()
        for projection in [Projection.retention, .board] {
            let outcome = try await log.query {
                try ProjectionRebuild(
                    projection: projection, personalData: log.database.personalData, logger: TestDatabase.logger
                ).run(on: $0)[0]
            }
            if case .swapped(_, _, let matched) = outcome { #expect(matched) } else { Issue.record("\(outcome)") }
        }
        let list = try await log.query {
            try RetentionList.query(window: .day("2026-06-30"), personalData: log.personalData, on: $0)
        }
        // Both touched on 05-31 (30 days before): untouched, whichever version recorded it.
        #expect(list.clients.map(\.clientId) == [old, new])
        #expect(list.clients.allSatisfy { $0.lastTouchOn?.description == "2026-05-31" && $0.reasons == ["untouched"] })
    }
}
