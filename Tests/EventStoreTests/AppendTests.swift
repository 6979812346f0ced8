import EventStore
import Foundation
import PQ
import TestSupport
import Testing

func event(_ type: String = "TouchRecorded", id: UUID = UUID(), data: String = #"{"n": 1}"#) -> NewEvent {
    NewEvent(
        eventID: id, type: type, data: data, metadata: EventMetadata(actor: "test"),
        occurredAt: "2026-03-01T09:30:00Z")
}

func count(_ table: String, in database: TestDatabase) async throws -> Int {
    try await database.pool.withConnection { connection in
        try connection.query("SELECT count(*) FROM \(identifier: table)").first?.decode(0) ?? -1
    }
}

@Suite("Appending to streams")
struct AppendTests {
    let database: TestDatabase
    init() async throws { database = try await TestDatabase.make() }

    @Test func appendsAndReadsAStream() async throws {
        let stream = try StreamID("client-\(UUID().uuidString.lowercased())")
        let first = try await database.store.append(to: stream, expected: .noStream, events: [event(), event()])
        #expect(first.streamVersion == 2)
        #expect(first.positions.count == 2 && first.positions[0] < first.positions[1])
        #expect(!first.replayed)
        let second = try await database.store.append(to: stream, expected: .exact(2), events: [event("OrderPlaced")])
        #expect(second.streamVersion == 3)
        let read = try await database.store.readStream(stream)
        #expect(read.map(\.streamVersion) == [1, 2, 3])
        #expect(read.map(\.type) == ["TouchRecorded", "TouchRecorded", "OrderPlaced"])
        #expect(read[0].occurredAt == "2026-03-01T09:30:00Z")
        #expect(read[0].metadata == #"{"actor": "test"}"#)
        #expect(try await database.store.readStream(stream, from: 3).count == 1)
        #expect(try await database.store.version(of: stream) == 3)
        let any = try await database.store.append(to: stream, expected: .any, events: [event()])
        #expect(any.streamVersion == 4)
    }

    @Test func aWrongExpectedVersionIsATypedConflictAndAppendsNothing() async throws {
        let stream = try StreamID("deal-\(UUID().uuidString.lowercased())")
        _ = try await database.store.append(to: stream, expected: .noStream, events: [event()])
        await #expect(
            throws: EventStoreError.versionConflict(stream: stream.description, expected: .exact(5), actual: 1)
        ) {
            try await database.store.append(to: stream, expected: .exact(5), events: [event()])
        }
        await #expect(
            throws: EventStoreError.versionConflict(stream: stream.description, expected: .noStream, actual: 1)
        ) {
            try await database.store.append(to: stream, expected: .noStream, events: [event()])
        }
        let missing = try StreamID("deal-\(UUID().uuidString.lowercased())")
        await #expect(
            throws: EventStoreError.versionConflict(stream: missing.description, expected: .exact(1), actual: 0)
        ) {
            try await database.store.append(to: missing, expected: .exact(1), events: [event()])
        }
        #expect(try await count("events", in: database) == 1)
    }

    /// Events whose ids were just made cannot be a replay: a stream not at the expected version
    /// is a conflict at once (its actual version not read), alone or in a group.
    @Test func newIdsAtAWrongVersionConflictWithoutLookingForAReplay() async throws {
        let streams = try (0..<4).map { _ in try StreamID("client-\(UUID().uuidString.lowercased())") }
        for stream in streams {
            _ = try await database.store.append(to: stream, expected: .noStream, events: [event()])
        }
        let outcomes = await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for (index, stream) in streams.enumerated() {
                group.addTask {
                    do {
                        _ = try await database.store.append(
                            to: stream, expected: .exact(index.isMultiple(of: 2) ? 1 : 7), events: [event()],
                            newIDs: true)
                        return (index, nil)
                    } catch { return (index, error) }
                }
            }
            var outcomes = [Int: (any Error)?]()
            for await (index, error) in group { outcomes[index] = error }
            return outcomes
        }
        for (index, stream) in streams.enumerated() {
            if index.isMultiple(of: 2) {
                #expect(outcomes[index]! == nil)
            } else {
                #expect(
                    outcomes[index]! as? EventStoreError
                        == .versionConflict(stream: stream.description, expected: .exact(7), actual: -1))
            }
        }
        #expect(try await count("events", in: database) == 6)
    }

    @Test func reappendingTheSameEventsIsANoOp() async throws {
        let stream = try StreamID("client-\(UUID().uuidString.lowercased())")
        let batch = [event(data: #"{"a": 1, "b": 2}"#), event()]
        let first = try await database.store.append(to: stream, expected: .noStream, events: batch)
        var reordered = batch
        reordered[0].data = #"{"b":2,"a":1}"#
        let again = try await database.store.append(to: stream, expected: .noStream, events: reordered)
        #expect(again.replayed)
        #expect(again.positions == first.positions)
        #expect(again.streamVersion == 2)
        var changed = batch
        changed[1].data = #"{"n": 2}"#
        await #expect(throws: EventStoreError.eventIDReused(stream: stream.description)) {
            try await database.store.append(to: stream, expected: .any, events: changed)
        }
        #expect(try await count("events", in: database) == 2)
    }

    @Test func badInputIsRefusedAndAppendsNothing() async throws {
        #expect(throws: EventStoreError.invalidStreamID("Client-1")) { try StreamID("Client-1") }
        #expect(throws: EventStoreError.self) { try StreamID("client") }
        #expect(throws: EventStoreError.self) { try StreamID("client-") }
        #expect(throws: EventStoreError.self) { try StreamID("client-abc def") }
        #expect(throws: EventStoreError.self) { try StreamID("-abc") }
        let stream = try StreamID("client-\(UUID().uuidString.lowercased())")
        await #expect(throws: EventStoreError.emptyBatch) {
            try await database.store.append(to: stream, expected: .any, events: [])
        }
        let big = event(data: "{\"text\": \"" + String(repeating: "x", count: EventStore.maximumPayloadBytes) + "\"}")
        await #expect(
            throws: EventStoreError.payloadTooLarge(
                eventID: big.eventID.uuidString.lowercased(), bytes: big.data.utf8.count)
        ) {
            try await database.store.append(to: stream, expected: .any, events: [big])
        }
        await #expect(throws: EventStoreError.self) {
            try await database.store.append(to: stream, expected: .any, events: [event(data: "[1, 2]")])
        }
        await #expect(throws: EventStoreError.invalidJSON(eventID: "")) {
            try await database.store.append(to: stream, expected: .any, events: [event(), event(data: "{\"a\": }")])
        }
        var badInstant = event()
        badInstant.occurredAt = "2026-02-30T10:00:00Z"
        await #expect(throws: EventStoreError.self) {
            try await database.store.append(to: stream, expected: .any, events: [badInstant])
        }
        let id = UUID()
        await #expect(throws: EventStoreError.self) {
            try await database.store.append(to: stream, expected: .any, events: [event(id: id), event(id: id)])
        }
        // Schema versions travel as a binary integer array: one past its range is refused here.
        for schemaVersion in [0, Int(Int32.max) + 1] {
            var outOfRange = event()
            outOfRange.schemaVersion = schemaVersion
            await #expect(throws: EventStoreError.self) {
                try await database.store.append(to: stream, expected: .any, events: [outOfRange])
            }
        }
        #expect(try await count("events", in: database) == 0)
        #expect(try await count("streams", in: database) == 0)
    }

    @Test func claimsAreUniqueAcrossStreams() async throws {
        let first = try StreamID("receivables-\(UUID().uuidString.lowercased())")
        let second = try StreamID("receivables-\(UUID().uuidString.lowercased())")
        let claim = Claim(scope: "invoice-number", key: "INV-1")
        _ = try await database.store.append(to: first, expected: .noStream, events: [event()], claims: [claim])
        await #expect(throws: EventStoreError.claimTaken(scope: "invoice-number", key: "INV-1")) {
            try await database.store.append(to: second, expected: .noStream, events: [event()], claims: [claim])
        }
        #expect(try await database.store.stream(claiming: "INV-1", in: "invoice-number") == first)
        #expect(try await database.store.stream(claiming: "INV-2", in: "invoice-number") == nil)
        #expect(try await database.store.version(of: second) == 0)
    }

    @Test func theLogRefusesUpdateDeleteAndTruncate() async throws {
        let stream = try StreamID("client-\(UUID().uuidString.lowercased())")
        _ = try await database.store.append(to: stream, expected: .noStream, events: [event()])
        for statement: SQL in [
            "UPDATE events SET type = 'X'", "DELETE FROM events", "TRUNCATE events",
            "DELETE FROM event_ids", "TRUNCATE event_ids",
        ] {
            let failure = await #expect(throws: PQError.self) {
                try await database.pool.withConnection { try $0.execute(statement) }
            }
            #expect(failure?.sqlState == "TS405")
        }
        #expect(try await count("events", in: database) == 1)
    }
}
