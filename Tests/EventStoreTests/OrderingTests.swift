import EventStore
import Foundation
import PQ
import Synchronization
import TestSupport
import Testing

@Suite("Commit-safe ordering of the log")
struct OrderingTests {
    let database: TestDatabase
    init() async throws { database = try await TestDatabase.make(poolSize: 20) }

    @Test func concurrentWritersToOneStreamGetEachVersionOnce() async throws {
        let stream = try StreamID("deal-\(UUID().uuidString.lowercased())")
        let store = database.store
        let rounds = 10
        let wins = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var won = 0
                    for _ in 0..<rounds {
                        // Every writer tries the next version; exactly one may win it.
                        while true {
                            let current = try await store.version(of: stream)
                            do {
                                _ = try await store.append(
                                    to: stream, expected: ExpectedVersion(version: current), events: [event()])
                                won += 1
                                break
                            } catch EventStoreError.versionConflict {
                                continue
                            }
                        }
                    }
                    return won
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wins == 16 * rounds)
        let versions = try await store.readStream(stream).map(\.streamVersion)
        #expect(versions == Array(1...Int64(16 * rounds)))
    }

    @Test func aTailingReaderSeesEveryCommittedEventOnceInOrder() async throws {
        let store = database.store
        let writers = 8
        let batches = 25
        let batchSize = 4
        let finished = Finished()
        let writing = Task {
            defer { finished.raise() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        let stream = try StreamID("client-\(UUID().uuidString.lowercased())")
                        for batch in 0..<batches {
                            _ = try await store.append(
                                to: stream, expected: batch == 0 ? .noStream : .exact(Int64(batch * batchSize)),
                                events: (0..<batchSize).map { _ in event() })
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var seen = [Int64]()
        var last: Int64 = 0
        var writersDone = false
        while true {
            // Once the writers are done, one more full pass drains what is left.
            let drained = writersDone
            var page = try await store.readAll(after: last, limit: 37)
            while !page.isEmpty {
                seen.append(contentsOf: page.map(\.position))
                last = page[page.count - 1].position
                page = try await store.readAll(after: last, limit: 37)
            }
            if drained { break }
            try await Task.sleep(for: .milliseconds(2))
            writersDone = finished.isRaised
        }
        try await writing.value
        let total = writers * batches * batchSize
        #expect(seen.count == total)
        #expect(Set(seen).count == total)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 < $1 })
        let stored = try await count("events", in: database)
        #expect(stored == total)
    }

    @Test func aReaderDoesNotPassAnOpenWriter() async throws {
        let store = database.store
        let held = try await OpenAppend(on: database) { event() }
        let whileOpen = try await store.readAll(after: 0, limit: 100)
        #expect(whileOpen.allSatisfy { $0.position < held.positions[0] })
        try held.commit()
        let afterCommit = try await store.readAll(after: whileOpen.last?.position ?? 0, limit: 100)
        let positions = afterCommit.map(\.position)
        #expect(positions.contains(held.positions[0]) && positions.contains(held.positions[1]))
        #expect(whileOpen.count + afterCommit.count == 7)
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func aRolledBackWriterLeavesAGapThatReadersStepOver() async throws {
        let store = database.store
        let aborted = try Connection(conninfo: database.url)
        try aborted.execute("BEGIN")
        _ = try EventStore.append(
            on: aborted, to: try StreamID("client-\(UUID().uuidString.lowercased())"), expected: .noStream,
            events: [event()])
        _ = try await store.append(
            to: try StreamID("client-\(UUID().uuidString.lowercased())"), expected: .noStream, events: [event()])
        #expect(try await store.readAll(after: 0, limit: 10).isEmpty)
        try aborted.execute("ROLLBACK")
        #expect(try await store.readAll(after: 0, limit: 10).count == 1)
    }
}

/// Set by the writers when they are done.
final class Finished: Sendable {
    private let flag = Atomic(false)
    var isRaised: Bool { flag.load(ordering: .acquiring) }
    func raise() { flag.store(true, ordering: .releasing) }
}
