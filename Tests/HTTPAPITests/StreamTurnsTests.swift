import Foundation
import JSON
import Sales
import Synchronization
import TestSupport
import Testing

@testable import Recording

/// Commands of one process on one stream take turns instead of deciding on the same kept state
/// and conflicting at the append.
@Suite("Turns of the commands deciding on one stream")
struct StreamTurnsTests {
    @Test func aSecondCommandOnAStreamWaitsForTheFirstAndOtherStreamsDoNot() async throws {
        let turns = StreamTurns()
        await turns.take("client-a")
        let order = Recorded()
        let second = Task {
            await turns.take("client-a")
            order.add("second")
            turns.release("client-a")
        }
        await turns.take("client-b")
        order.add("other stream")
        turns.release("client-b")
        try await Task.sleep(for: .milliseconds(100))
        order.add("first ends")
        turns.release("client-a")
        await second.value
        #expect(order.all == ["other stream", "first ends", "second"])
        // Free again: taken at once.
        await turns.take("client-a")
        turns.release("client-a")
    }

    /// Thirty touches at once on one client: each decides after the one before has appended, so
    /// none runs out of attempts and the versions follow each other.
    @Test func concurrentCommandsOnOneClientAllRecord() async throws {
        let database = try await TestDatabase.make()
        let recorder = CommandRecorder(
            store: database.store, personalData: database.personalData, logger: TestDatabase.logger)
        let client = UUID()
        try await recorder.registerClient(client, name: "Acme")
        let touch = CommandEntry.of(.recordTouch)
        let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    let command = try touch.parse(
                        .object([
                            "channel": .string("call"), "direction": .string("outbound"),
                            "occurredAt": .string("2026-03-01T10:00:00Z"), "summary": .string("called"),
                        ]), ids: touch.bindIDs { _ in client }, recordedAt: Instant(Date()))
                    return try await recorder.record(command, actor: "cli:test").streamVersion
                }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(versions.sorted() == Array(2...31))
    }
}

/// What happened, in order, across tasks.
private final class Recorded: Sendable {
    private let events = Mutex([String]())
    func add(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }
}
