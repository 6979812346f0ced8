import EventStore
import Foundation
import PQ
import TestSupport
import Testing

@Suite("Group commit of concurrent appends")
struct GroupCommitTests {
    let database: TestDatabase
    /// One group commits at a time, so appends made while it is held up all wait for the next.
    let store: EventStore
    init() async throws {
        database = try await TestDatabase.make(poolSize: 12)
        store = EventStore(pool: database.pool, logger: TestDatabase.logger, groupsInFlight: 1)
    }

    struct Attempt: Sendable {
        var stream: StreamID
        var expected: ExpectedVersion
        var events: [NewEvent]
        var claims: [Claim] = []
        var sealingKeyIDs: [UUID] = []
    }

    func newStream() throws -> StreamID {
        try StreamID("client-\(UUID().uuidString.lowercased())")
    }

    /// Makes `attempts` at once while a first append is held up in the server (another transaction
    /// locks `streams`), so they queue up and go as the group after it. Answers their outcomes in
    /// order.
    func appendedTogether(_ attempts: [Attempt]) async throws -> [Result<AppendResult, EventStoreError>] {
        let blocker = try Connection(conninfo: database.url)
        try blocker.execute("BEGIN")
        try blocker.execute("LOCK TABLE streams IN EXCLUSIVE MODE")
        let store = self.store
        let first = Task { try await store.append(to: try newStream(), expected: .noStream, events: [event()]) }
        try await Task.sleep(for: .milliseconds(100))
        let outcomes = Task {
            await withTaskGroup(of: (Int, Result<AppendResult, EventStoreError>).self) { group in
                for (index, attempt) in attempts.enumerated() {
                    group.addTask {
                        do {
                            let result = try await store.append(
                                to: attempt.stream, expected: attempt.expected, events: attempt.events,
                                claims: attempt.claims, newIDs: !attempt.sealingKeyIDs.isEmpty,
                                sealingKeyIDs: attempt.sealingKeyIDs)
                            return (index, .success(result))
                        } catch let error as EventStoreError {
                            return (index, .failure(error))
                        } catch {
                            Issue.record("unexpected error \(error)")
                            return (index, .failure(.emptyBatch))
                        }
                    }
                }
                var outcomes = [Result<AppendResult, EventStoreError>?](repeating: nil, count: attempts.count)
                for await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes.map { $0! }
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        try blocker.execute("COMMIT")
        _ = try await first.value
        return await outcomes.value
    }

    func transactions(of positions: [Int64]) async throws -> Int {
        try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT count(DISTINCT transaction_id) FROM events WHERE position = ANY(\(positions)::bigint[])"
            ).first?.decode(0) ?? -1
        }
    }

    @Test func concurrentAppendsToDifferentStreamsCommitInOneTransaction() async throws {
        let attempts = try (0..<10).map { index in
            Attempt(stream: try newStream(), expected: .noStream, events: (0...index % 3).map { _ in event() })
        }
        let outcomes = try await appendedTogether(attempts)
        var positions = [Int64]()
        for (attempt, outcome) in zip(attempts, outcomes) {
            let result = try outcome.get()
            #expect(!result.replayed)
            #expect(result.streamVersion == Int64(attempt.events.count))
            let stored = try await store.readStream(attempt.stream)
            #expect(stored.map(\.position) == result.positions)
            #expect(stored.map(\.eventID) == attempt.events.map { $0.eventID.uuidString.lowercased() })
            #expect(stored.map(\.streamVersion) == Array(1...Int64(attempt.events.count)))
            positions += result.positions
        }
        #expect(Set(positions).count == positions.count)
        #expect(try await transactions(of: positions) == 1)
    }

    @Test func aStreamNotAtItsExpectedVersionFailsOnlyItsOwnAppend() async throws {
        let (moved, behind, taken) = (try newStream(), try newStream(), try newStream())
        for stream in [moved, behind, taken] {
            _ = try await store.append(to: stream, expected: .noStream, events: [event()])
        }
        let outcomes = try await appendedTogether([
            Attempt(stream: moved, expected: .exact(1), events: [event(), event()]),
            Attempt(stream: behind, expected: .exact(5), events: [event()]),
            Attempt(stream: taken, expected: .noStream, events: [event()]),
            Attempt(stream: try newStream(), expected: .any, events: [event()]),
        ])
        #expect(try outcomes[0].get().streamVersion == 3)
        #expect(throws: EventStoreError.versionConflict(stream: behind.description, expected: .exact(5), actual: 1)) {
            try outcomes[1].get()
        }
        #expect(throws: EventStoreError.versionConflict(stream: taken.description, expected: .noStream, actual: 1)) {
            try outcomes[2].get()
        }
        #expect(try outcomes[3].get().streamVersion == 1)
        #expect(try await store.version(of: behind) == 1)
        #expect(try await store.version(of: taken) == 1)
        let written = try [outcomes[0].get(), outcomes[3].get()].flatMap(\.positions)
        #expect(try await transactions(of: written) == 1)
    }

    @Test func aPartTheServerRefusesFailsAloneAndTheRestAreAppended() async throws {
        let claim = Claim(scope: "invoice-number", key: "INV-\(UUID().uuidString)")
        _ = try await store.append(to: try newStream(), expected: .noStream, events: [event()], claims: [claim])
        let earlier = try newStream()
        let batch = [event(), event()]
        let original = try await store.append(to: earlier, expected: .noStream, events: batch)
        let reused = try newStream()
        let good = [try newStream(), try newStream()]
        let outcomes = try await appendedTogether([
            Attempt(stream: good[0], expected: .noStream, events: [event()]),
            Attempt(stream: try newStream(), expected: .noStream, events: [event()], claims: [claim]),
            Attempt(stream: earlier, expected: .noStream, events: batch),
            Attempt(stream: reused, expected: .noStream, events: [event(id: batch[0].eventID, data: #"{"n": 2}"#)]),
            Attempt(stream: try newStream(), expected: .noStream, events: [event(data: #"{"a": }"#)]),
            Attempt(stream: good[1], expected: .noStream, events: [event(), event()]),
        ])
        #expect(try outcomes[0].get().streamVersion == 1)
        #expect(throws: EventStoreError.claimTaken(scope: claim.scope, key: claim.key)) { try outcomes[1].get() }
        let replay = try outcomes[2].get()
        #expect(replay.replayed)
        #expect(replay.positions == original.positions)
        #expect(throws: EventStoreError.eventIDReused(stream: reused.description)) { try outcomes[3].get() }
        #expect(throws: EventStoreError.invalidJSON(eventID: "")) { try outcomes[4].get() }
        #expect(try outcomes[5].get().streamVersion == 2)
        #expect(try await store.readStream(earlier).count == 2)
        #expect(try await store.version(of: reused) == 0)
    }

    @Test func twoAppendsToOneStreamGoInSuccessiveGroups() async throws {
        let stream = try newStream()
        let outcomes = try await appendedTogether([
            Attempt(stream: stream, expected: .any, events: [event()]),
            Attempt(stream: stream, expected: .any, events: [event(), event()]),
            Attempt(stream: try newStream(), expected: .any, events: [event()]),
        ])
        let results = try outcomes.map { try $0.get() }
        // Whichever goes first, the other follows it in a group of its own.
        let versions = Set([results[0].streamVersion, results[1].streamVersion])
        #expect(versions == [1, 3] || versions == [2, 3])
        let stored = try await store.readStream(stream)
        #expect(stored.map(\.streamVersion) == [1, 2, 3])
        #expect(try await transactions(of: results[0].positions + results[1].positions) == 2)
    }

    /// Stores a data key row for a new client (its wrapped text is never unwrapped here); answers
    /// its id.
    func storedKey() async throws -> UUID {
        let id = UUID()
        try await database.pool.withConnection { connection in
            try connection.execute(
                """
                INSERT INTO personal_data_keys (key_id, client_id, wrapped_key, master_key)
                VALUES (\(id), \(UUID()), 'wrapped', '0123456789abcdef')
                """)
        }
        return id
    }

    @Test func aPartSealedWithADeletedKeyFailsAsAConflictAndTheRestAreAppended() async throws {
        let (kept, deleted) = (try await storedKey(), try await storedKey())
        try await database.pool.withConnection {
            try $0.execute("DELETE FROM personal_data_keys WHERE key_id = \(deleted)")
        }
        let (sealedKept, sealedDeleted, plain) = (try newStream(), try newStream(), try newStream())
        let outcomes = try await appendedTogether([
            Attempt(stream: sealedKept, expected: .noStream, events: [event()], sealingKeyIDs: [kept]),
            Attempt(stream: sealedDeleted, expected: .noStream, events: [event()], sealingKeyIDs: [kept, deleted]),
            Attempt(stream: plain, expected: .noStream, events: [event()]),
        ])
        #expect(try outcomes[0].get().streamVersion == 1)
        #expect(
            throws: EventStoreError.versionConflict(stream: sealedDeleted.description, expected: .noStream, actual: -1)
        ) { try outcomes[1].get() }
        #expect(try outcomes[2].get().streamVersion == 1)
        #expect(try await store.version(of: sealedDeleted) == 0)
        let written = try [outcomes[0].get(), outcomes[2].get()].flatMap(\.positions)
        #expect(try await transactions(of: written) == 1)
    }

    /// An erasure deleting a key while an append sealed with it is on its way: the append waits
    /// for the erasure, and is refused if it commits, appended if it rolls back.
    @Test(arguments: [true, false]) func anAppendWaitsForAnErasureOfItsKey(erasureCommits: Bool) async throws {
        let key = try await storedKey()
        let erasure = try Connection(conninfo: database.url)
        try erasure.execute("BEGIN")
        try erasure.execute("DELETE FROM personal_data_keys WHERE key_id = \(key)")
        let stream = try newStream()
        let store = self.store
        let append = Task {
            try await store.append(
                to: stream, expected: .noStream, events: [event()], newIDs: true, sealingKeyIDs: [key])
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await store.version(of: stream) == 0)
        try erasure.execute(erasureCommits ? "COMMIT" : "ROLLBACK")
        if erasureCommits {
            await #expect(
                throws: EventStoreError.versionConflict(stream: stream.description, expected: .noStream, actual: -1)
            ) {
                try await append.value
            }
            #expect(try await store.version(of: stream) == 0)
        } else {
            #expect(try await append.value.streamVersion == 1)
        }
    }

    /// With room for two groups, a group held up by a lock takes the appends behind it down with
    /// it only for ``GroupCommit/stall``: a later append starts a second committer, which commits
    /// while the first still waits.
    @Test func anAppendBehindAHeldUpGroupStartsASecondCommitter() async throws {
        let store = EventStore(pool: database.pool, logger: TestDatabase.logger, groupsInFlight: 2)
        let held = try newStream()
        _ = try await store.append(to: held, expected: .noStream, events: [event()])
        let blocker = try Connection(conninfo: database.url)
        try blocker.execute("BEGIN")
        try blocker.execute("SELECT FROM streams WHERE stream_id = \(held.description) FOR UPDATE")
        let waiting = Task { try await store.append(to: held, expected: .exact(1), events: [event()]) }
        try await Task.sleep(for: .milliseconds(100))
        let free = try await store.append(to: try newStream(), expected: .noStream, events: [event()])
        #expect(free.streamVersion == 1)
        #expect(try await store.version(of: held) == 1)
        try blocker.execute("COMMIT")
        #expect(try await waiting.value.streamVersion == 2)
    }

    /// A committer whose connection is killed under a group fails that group with
    /// `connectionLost`; the appends after it go on a new connection.
    @Test func aGroupWhoseConnectionBreaksFailsAndTheNextGoesOnANewConnection() async throws {
        let stream = try newStream()
        _ = try await store.append(to: stream, expected: .noStream, events: [event()])
        let blocker = try Connection(conninfo: database.url)
        try blocker.execute("BEGIN")
        try blocker.execute("SELECT FROM streams WHERE stream_id = \(stream.description) FOR UPDATE")
        let store = self.store
        let doomed = Task { try await store.append(to: stream, expected: .exact(1), events: [event()]) }
        try await Task.sleep(for: .milliseconds(200))
        // Only the committer's backend waits for this row.
        try blocker.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        try blocker.execute("COMMIT")
        await #expect {
            try await doomed.value
        } throws: { error in
            (error as? PQError)?.kind == .connectionLost
        }
        #expect(try await store.append(to: stream, expected: .exact(1), events: [event()]).streamVersion == 2)
    }
}
