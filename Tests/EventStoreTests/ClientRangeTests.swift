import Foundation
import PQ
import TestSupport
import Testing

@testable import EventStore

/// A client's range of the log (a history page, the events after a history snapshot) is read on
/// the client index, whatever share of the log the client has and wherever its events lie.
@Suite("A client's range of the log")
struct ClientRangeTests {
    static func events(_ count: Int) -> [NewEvent] {
        (0..<count).map { number in
            NewEvent(
                type: "Noted", data: #"{"n":\#(number)}"#, metadata: EventMetadata(actor: "test"),
                occurredAt: "2026-01-01T00:00:00Z")
        }
    }

    /// 20,000 events of other clients, then 20,000 of one client: ordered by position alone, the
    /// planner walks the primary key past all the others' events for a first page of 101.
    @Test func aLargeClientLateInTheLogIsReadOnItsIndex() async throws {
        let database = try await TestDatabase.make()
        let (late, others) = (UUID(), (0..<4).map { _ in UUID() })
        let plans: [String] = try await database.pool.withConnection { connection in
            for (index, client) in (others + [late]).enumerated() {
                let count = index < others.count ? 5_000 : 20_000
                for batch in stride(from: 0, to: count, by: 5_000) {
                    _ = try EventStore.append(
                        on: connection, to: try StreamID("client-\(client.uuidString.lowercased())"),
                        expected: .any, events: Self.events(min(5_000, count - batch)), clientID: client)
                }
            }
            try connection.execute("ANALYZE events")
            let horizon = try EventStore.safePosition(on: connection)
            return try [(0, Int64(101)), (horizon - 50, Int64.max)].map { after, limit in
                var explain: SQL = "EXPLAIN (COSTS OFF) "
                explain.append(
                    EventStore.clientRange(
                        late, after: after, through: horizon, asOf: "2026-12-31", knownAt: nil, limit: limit))
                return try connection.query(explain).rows.map { try $0.decode(0) as String }.joined(separator: "\n")
            }
        }
        for plan in plans {
            #expect(!plan.contains("_pkey"), "\(plan)")
            #expect(plan.contains("client"), "\(plan)")
        }
        let page = try await database.pool.withConnection { connection in
            try EventStore.readClient(late, after: 0, asOf: "2026-12-31", knownAt: nil, limit: 101, on: connection)
        }
        #expect(page.count == 101)
        #expect(page.map(\.position) == page.map(\.position).sorted())
        #expect(Set(page.map(\.clientID)) == [late.uuidString.lowercased()])
    }
}
