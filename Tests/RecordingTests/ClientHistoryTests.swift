import EventStore
import Foundation
import HexText
import JSON
import Recording
import Sales
import Synchronization
import TestSupport
import Testing

@testable import Projections

@Suite("Client history")
struct ClientHistoryTests {
    /// A history long enough to be decoded in several runs keeps exactly the events
    /// that count, in log order, and folds the state from all of them.
    @Test func aLongHistoryDecodedInSlicesKeepsLogOrderAndBothCuts() async throws {
        let database = try await TestDatabase.make()
        let importer = BatchedImportTests.importer(database)
        let client = UUID().canonical
        func touches(_ range: Range<Int>) -> [Substring] {
            range.map { index in
                // Days 1…28 of January to April, so some of each load fall after asOf.
                let day = "2026-0\(1 + index % 4)-\(String(format: "%02d", 1 + index % 28))"
                return Substring(
                    #"{"command":"record-touch","clientId":"\#(client)","channel":"call","direction":"outbound","occurredAt":"\#(day)T10:00:00Z","summary":"call \#(index)"}"#
                )
            }
        }
        let registration: Substring =
            #"{"command":"register-client","clientId":"\#(client)","name":"Long history","kind":"company","registeredOn":"2026-01-01"}"#
        _ = try await importer.load([registration] + touches(0..<700))
        let knownAt = try #require(Instant(try await Self.stored(client, in: database).last!.recordedAt))
        try await Task.sleep(for: .milliseconds(5))
        _ = try await importer.load(touches(700..<1_000))

        let stored = try await Self.stored(client, in: database)
        #expect(stored.count == 1_001)
        #expect(stored.count >= ClientHistory.eventsPerDecodingTask * 2, "long enough for two runs")
        let asOf = LocalDate("2026-03-15")!
        for (cut, chunkSize) in [(nil, 2_000), (nil, 128), (knownAt, 300), (knownAt, 1), (knownAt, 1_001)] {
            let history = try await ClientHistory.read(
                UUID(uuidString: client)!, window: ReportWindow(asOf: asOf, knownAt: cut), from: database.store,
                personalData: database.personalData, chunkSize: chunkSize)
            #expect(history.eventsStored == 1_001)
            // Each kept event is a registration or a touch dated on or before asOf, recorded by knownAt.
            let expected = stored.filter { event in
                let data = try? JSONValue(parsing: Data(event.data.utf8))
                let date = data?.objectValue?["occurredAt"]?.stringValue?.prefix(10) ?? "2026-01-01"
                return date <= asOf.description && cut.map { Instant(event.recordedAt)! <= $0 } ?? true
            }
            #expect(history.entries.map(\.recorded.position) == expected.map(\.position))
            #expect(history.state.clientId == UUID(uuidString: client))
            let lastTouch = history.entries.compactMap { entry -> Instant? in
                if case .touchRecorded(let touch) = entry.event { touch.occurredAt } else { nil }
            }.max()
            #expect(history.state.lastTouchAt == lastTouch)
            #expect(history.state.lastTouchOn == asOf)
        }
    }

    /// Every stored event of `client`, in log order.
    static func stored(_ client: String, in database: TestDatabase) async throws -> [RecordedEvent] {
        let events = Mutex([RecordedEvent]())
        let count = try await database.store.readClient(UUID(uuidString: client)!, chunkSize: 100) { chunk in
            events.withLock { $0 += chunk }
        }
        let all = events.withLock { $0 }
        #expect(all.count == count)
        return all
    }

    /// A cancelled read stops and throws: a history is never answered in part.
    @Test func aCancelledReadThrowsInsteadOfAnsweringInPart() async throws {
        let database = try await TestDatabase.make()
        let importer = BatchedImportTests.importer(database)
        let client = UUID()
        _ = try await importer.load(
            [
                #"{"command":"register-client","clientId":"\#(client.canonical)","name":"Cut","kind":"company","registeredOn":"2026-01-01"}"#
            ]
                + (0..<400).map {
                    Substring(
                        #"{"command":"record-touch","clientId":"\#(client.canonical)","channel":"call","direction":"outbound","occurredAt":"2026-01-03T10:00:00Z","summary":"call \#($0)"}"#
                    )
                })
        let cancelled = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await ClientHistory.read(
                client, window: ReportWindow(asOf: LocalDate("2026-12-31")!), from: database.store,
                personalData: database.personalData, chunkSize: 16)
        }.result
        #expect(throws: CancellationError.self) { try cancelled.get() }
        let whole = try await ClientHistory.read(
            client, window: ReportWindow(asOf: LocalDate("2026-12-31")!), from: database.store,
            personalData: database.personalData)
        #expect(whole.entries.count == 401 && whole.eventsStored == 401)
    }

    /// Two unreadable events in different runs: the one named is the earlier, as in one pass.
    @Test func theEarliestUnreadableEventIsNamedWhicheverSliceFailsFirst() async throws {
        let database = try await TestDatabase.make()
        let importer = BatchedImportTests.importer(database)
        let client = UUID()
        let id = client.canonical
        // In a stream of their own (tagged with the client), so the import's decisions never read them.
        let stream = try StreamID("deal-\(UUID().canonical)")
        func unreadable() async throws -> Int64 {
            try await database.store.append(
                to: stream, expected: .any,
                events: [
                    NewEvent(
                        type: "NoSuchEvent", data: "{}", metadata: EventMetadata(actor: "test"),
                        occurredAt: "2026-01-02T00:00:00Z")
                ], clientID: client
            ).positions[0]
        }
        _ = try await importer.load([
            #"{"command":"register-client","clientId":"\#(id)","name":"Broken","kind":"company","registeredOn":"2026-01-01"}"#
        ])
        let first = try await unreadable()
        _ = try await importer.load(
            (0..<700).map {
                Substring(
                    #"{"command":"record-touch","clientId":"\#(id)","channel":"call","direction":"outbound","occurredAt":"2026-01-03T10:00:00Z","summary":"call \#($0)"}"#
                )
            })
        _ = try await unreadable()
        for chunkSize in [1_000, 300, 128, 1] {
            do {
                _ = try await ClientHistory.read(
                    client, window: ReportWindow(asOf: LocalDate("2026-12-31")!), from: database.store,
                    personalData: database.personalData, chunkSize: chunkSize)
                Issue.record("an unreadable event was read (\(chunkSize) per run)")
            } catch let error as ClientHistory.UnreadableEvent {
                #expect(error.position == first, "\(chunkSize) per run: \(error)")
            }
        }
    }
}
