import EventStore
import Foundation
import TestSupport
import Testing

@Suite("Appending to several streams at once")
struct SegmentedAppendTests {
    let database: TestDatabase
    init() async throws { database = try await TestDatabase.make() }

    func stream(_ category: String = "client") throws -> StreamID {
        try StreamID("\(category)-\(UUID().uuidString.lowercased())")
    }

    @Test func partsGetVersionsPerStreamAndPositionsInTheOrderGiven() async throws {
        let (client, receivables) = (try stream(), try stream("receivables"))
        let clientID = UUID()
        try await database.store.append([
            StreamAppend(
                stream: client, expected: .noStream, events: [event("ClientRegistered"), event()], clientID: clientID),
            StreamAppend(
                stream: receivables, expected: .noStream, events: [event("InvoiceIssued")], clientID: clientID,
                claims: [Claim(scope: "invoice-number", key: "S-1")]),
            StreamAppend(stream: client, expected: .exact(2), events: [event("OrderPlaced")], clientID: clientID),
        ])
        let log = try await database.store.readAll(after: 0, limit: 10)
        #expect(log.map(\.type) == ["ClientRegistered", "TouchRecorded", "InvoiceIssued", "OrderPlaced"])
        #expect(log.map(\.streamID) == [client, client, receivables, client].map(\.description))
        #expect(log.map(\.streamVersion) == [1, 2, 1, 3])
        #expect(try await database.store.version(of: client) == 3)
        #expect(try await database.store.stream(claiming: "S-1", in: "invoice-number") == receivables)
    }

    @Test func aConflictInOnePartAppendsNothingAndNamesItsStream() async throws {
        let (first, second) = (try stream(), try stream())
        _ = try await database.store.append(to: second, expected: .noStream, events: [event()])
        await #expect(
            throws: EventStoreError.versionConflict(stream: second.description, expected: .noStream, actual: 1)
        ) {
            try await database.store.append([
                StreamAppend(stream: first, expected: .noStream, events: [event()]),
                StreamAppend(stream: second, expected: .noStream, events: [event()]),
            ])
        }
        #expect(try await database.store.version(of: first) == 0)
        #expect(try await count("events", in: database) == 1)
    }

    @Test func aTakenClaimAppendsNothing() async throws {
        let claim = Claim(scope: "invoice-number", key: "S-2")
        _ = try await database.store.append(to: try stream(), expected: .noStream, events: [event()], claims: [claim])
        let (first, second) = (try stream(), try stream())
        await #expect(throws: EventStoreError.claimTaken(scope: "invoice-number", key: "S-2")) {
            try await database.store.append([
                StreamAppend(stream: first, expected: .noStream, events: [event()]),
                StreamAppend(stream: second, expected: .noStream, events: [event()], claims: [claim]),
            ])
        }
        #expect(try await count("events", in: database) == 1)
        #expect(try await count("streams", in: database) == 1)
    }

    @Test func badInputIsRefusedBeforeSending() async throws {
        let first = try stream()
        await #expect(throws: EventStoreError.emptyBatch) { try await database.store.append([]) }
        // A part without events would create a stream at version 0.
        await #expect(throws: EventStoreError.emptyBatch) {
            try await database.store.append([
                StreamAppend(stream: first, expected: .noStream, events: [event()]),
                StreamAppend(stream: try stream(), expected: .noStream, events: []),
            ])
        }
        #expect(try await database.store.version(of: first) == 0)
        await #expect(
            throws: EventStoreError.versionConflict(stream: first.description, expected: .exact(0), actual: -1)
        ) {
            try await database.store.append([StreamAppend(stream: first, expected: .exact(0), events: [event()])])
        }
        let id = UUID()
        await #expect(
            throws: EventStoreError.invalidEvent(eventID: "", reason: "an event id appears twice in the batch")
        ) {
            try await database.store.append([
                StreamAppend(stream: first, expected: .noStream, events: [event(id: id)]),
                StreamAppend(stream: try stream(), expected: .noStream, events: [event(id: id)]),
            ])
        }
        #expect(try await count("events", in: database) == 0)
    }
}
