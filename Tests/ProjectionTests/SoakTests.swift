import EventStore
import Foundation
import JSON
import PQ
import Projections
import Sales
import Synchronization
import TestSupport
import Testing

/// Sustained load, run as its own phase of `make test` (`TOUCHSTONE_SOAK_SECONDS`, skipped
/// otherwise): writers append random histories to their own clients while the projection runner
/// keeps the read models live, a reader tails the commit-safe feed and reports are asked for.
/// At the end the reader has seen every event exactly once in increasing positions, no report
/// failed, the runner has caught up, and every read model equals a rebuild from scratch.
@Suite("Soak")
struct SoakTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["TOUCHSTONE_SOAK_SECONDS"] ?? "") ?? 0

    @Test(.enabled(if: seconds > 0, "set TOUCHSTONE_SOAK_SECONDS to run"))
    func writersRunnerFeedAndReportsUnderSustainedLoad() async throws {
        let log = try await SalesLog.make()
        let url = log.database.url
        let runner = ProjectionRunner(
            conninfo: url, batchSize: 500, pollInterval: 0.2, personalData: log.database.personalData,
            logger: TestDatabase.logger)
        let running = Task { try await runner.run() }
        defer { running.cancel() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(Self.seconds)
        let writing = WritingFlag()

        // The feed reader: strictly increasing positions, each seen once.
        let reader = Task { () async throws -> (seen: Int, last: Int64) in
            var last: Int64 = 0
            var seen = 0
            while true {
                let stillWriting = writing.isOn
                let events = try await log.database.store.readAll(after: last, limit: 1_000)
                for event in events {
                    guard event.position > last else {
                        throw SoakFailure("the feed went back from \(last) to \(event.position)")
                    }
                    last = event.position
                    seen += 1
                }
                if events.isEmpty {
                    if !stillWriting { return (seen, last) }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        // Reports as of today and as of a past day, while the read models move.
        let reports = Task { () async throws -> Int in
            var asked = 0
            while writing.isOn {
                try await log.query { connection in
                    for window in [
                        ReportWindow(asOf: LocalDate("2026-12-31")!), ReportWindow(asOf: LocalDate("2026-06-30")!),
                    ] {
                        _ = try ReceivablesAging.query(
                            window: window, limit: 100, personalData: log.personalData, on: connection)
                        _ = try RetentionList.query(
                            window: window, limit: 100, personalData: log.personalData, on: connection)
                        _ = try PipelineBoard.query(
                            pipeline: "sales", window: window, personalData: log.personalData, on: connection)
                    }
                    _ = try ProjectionStatus.all(on: connection)
                }
                asked += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            return asked
        }
        // However the writers end, the reader and the reports stop with them.
        defer {
            writing.turnOff()
            reader.cancel()
            reports.cancel()
        }
        // Four writers, each with its own clients and seed, in runs of 200 events.
        let appended = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var random = SplitMix64(state: 7_000 + UInt64(writer))
                    var events = 0
                    while clock.now < deadline {
                        try await log.appendRandomHistory(events: 200, catchingUp: false, using: &random)
                        events += 200
                    }
                    return events
                }
            }
            return try await group.reduce(0, +)
        }
        writing.turnOff()
        let (seen, last) = try await reader.value
        let asked = try await reports.value

        let head = try await log.query { connection in
            try connection.query("SELECT count(*), coalesce(max(position), 0) FROM events").first.map {
                (try $0.decode(0, as: Int.self), try $0.decode(1, as: Int64.self))
            }
        }
        #expect(appended > 0 && asked > 0)
        #expect(head?.0 == seen, "the feed saw \(seen) of \(head?.0 ?? 0) events")
        #expect(head?.1 == last)

        // The runner catches up after the last write (writers on 2 cores can outrun it for a while).
        let caughtUp = clock.now + .seconds(120)
        var lagging: [ProjectionStatus] = []
        repeat {
            lagging = try await log.query { try ProjectionStatus.all(on: $0) }.filter { $0.lagEvents > 0 }
            if !lagging.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        } while !lagging.isEmpty && clock.now < caughtUp
        #expect(lagging.isEmpty, "still lagging: \(lagging.map { "\($0.name) \($0.lagEvents)" })")
        running.cancel()
        _ = try? await running.value

        // What the runner built live equals a rebuild from scratch.
        try await log.rebuildAllExpectingMatches(batchSize: 1_000)
        print("soak: \(appended) events in \(Self.seconds) s by 4 writers, \(asked) report rounds, feed saw \(seen)")
    }
}

/// Whether the soak's writers are still writing, shared with its reader and report tasks.
final class WritingFlag: Sendable {
    private let on = Atomic<Bool>(true)
    var isOn: Bool { on.load(ordering: .acquiring) }
    func turnOff() { on.store(false, ordering: .releasing) }
}

/// A broken invariant found while the soak runs.
struct SoakFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
