import EventStore
import Foundation
import PQ
import TestSupport
import Testing

@Suite("Append receipts")
struct AppendReceiptTests {
    let database: TestDatabase
    init() async throws { database = try await TestDatabase.make() }

    @Test func aReceiptIsStoredWithTheEventsAndRefusesASecondAppend() async throws {
        let stream = try StreamID("client-\(UUID().uuidString.lowercased())")
        let receipt = AppendReceipt(key: "request-1", answer: #"{"touchId":"t","streamVersion":1}"#)
        #expect(try await database.store.receipt(forKey: "request-1") == nil)
        _ = try await database.store.append(to: stream, expected: .noStream, events: [event()], receipt: receipt)
        #expect(try await database.store.receipt(forKey: "request-1") == receipt.answer)

        // A second decision of the same request (other events, at the stream's new version).
        await #expect(throws: EventStoreError.receiptStored(key: "request-1")) {
            try await database.store.append(
                to: stream, expected: .exact(1), events: [event()],
                receipt: AppendReceipt(key: "request-1", answer: "{}"))
        }
        #expect(try await count("events", in: database) == 1)
        #expect(try await database.store.receipt(forKey: "request-1") == receipt.answer)
    }

    @Test func aReceiptOfAnAppendThatFailedIsNotStored() async throws {
        let stream = try StreamID("deal-\(UUID().uuidString.lowercased())")
        await #expect(throws: EventStoreError.self) {
            try await database.store.append(
                to: stream, expected: .exact(3), events: [event()],
                receipt: AppendReceipt(key: "conflicted", answer: "{}"))
        }
        #expect(try await database.store.receipt(forKey: "conflicted") == nil)
        #expect(try await count("append_receipts", in: database) == 0)
    }

    /// Appends committed together (group commit): the one whose receipt is already stored fails
    /// alone, the others are stored with their receipts.
    @Test func aStoredReceiptFailsOnlyItsOwnAppendOfAGroup() async throws {
        let streams = try (0..<6).map { _ in try StreamID("client-\(UUID().uuidString.lowercased())") }
        _ = try await database.store.append(
            to: streams[0], expected: .noStream, events: [event()], receipt: AppendReceipt(key: "taken", answer: "{}"))
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 1..<streams.count {
                group.addTask {
                    let key = index == 3 ? "taken" : "fresh-\(index)"
                    let stored = try? await database.store.append(
                        to: streams[index], expected: .noStream, events: [event()],
                        receipt: AppendReceipt(key: key, answer: "{}"))
                    return (index, stored != nil)
                }
            }
            var outcomes = [Int: Bool]()
            for await (index, stored) in group { outcomes[index] = stored }
            return outcomes
        }
        #expect(outcomes == [1: true, 2: true, 3: false, 4: true, 5: true])
        #expect(try await count("append_receipts", in: database) == 5)
        #expect(try await count("events", in: database) == 5)
    }

    @Test func anExpiredReceiptCountsAsAbsentAndIsPruned() async throws {
        let stream = try StreamID("client-\(UUID().uuidString.lowercased())")
        _ = try await database.store.append(
            to: stream, expected: .noStream, events: [event()], receipt: AppendReceipt(key: "old", answer: "{}"))
        try await database.pool.withConnection { connection in
            try connection.execute("UPDATE append_receipts SET stored_at = now() - interval '25 hours'")
        }
        #expect(try await database.store.receipt(forKey: "old") == nil)
        #expect(try await count("append_receipts", in: database) == 0)
        // The key can be used again.
        _ = try await database.store.append(
            to: stream, expected: .exact(1), events: [event()], receipt: AppendReceipt(key: "old", answer: "{}"))
    }
}
