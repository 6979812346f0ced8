import Foundation
import PQ
import Synchronization

/// How far a hot standby trails its primary while it is written to: every 100 ms the primary's
/// WAL position is read, with how many bytes the standby's replay is behind it then, and the time
/// until the standby has replayed that position.
final class ReplayLag: Sendable {
    private let primary: String
    private let standby: String
    private let figures = Mutex<(behind: [Int64], replayMilliseconds: [Double])>(([], []))

    /// Sampling the primary at `primary` and its standby at `standby`.
    init(primary: String, standby: String) {
        self.primary = primary
        self.standby = standby
    }

    /// Samples until `end`.
    func sample(until end: ContinuousClock.Instant) async throws {
        let onPrimary = try Connection(conninfo: primary)
        let onStandby = try Connection(conninfo: standby)
        while ContinuousClock.now < end {
            let written: Int64 =
                try onPrimary.query("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").first?
                .decode(0) ?? 0
            let started = ContinuousClock.now
            var replayed = try Self.replayed(onStandby)
            let behind = written - replayed
            while replayed < written {
                try await Task.sleep(for: .milliseconds(2))
                replayed = try Self.replayed(onStandby)
            }
            let milliseconds = Double((ContinuousClock.now - started) / .microseconds(1)) / 1_000
            figures.withLock {
                $0.behind.append(behind)
                $0.replayMilliseconds.append(milliseconds)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The samples' count, the most bytes behind, and the median and the longest time to replay.
    var summary: String {
        figures.withLock { figures in
            let times = figures.replayMilliseconds.sorted()
            guard !times.isEmpty else { return "no samples" }
            return "\(times.count) samples, at most \(figures.behind.max() ?? 0) bytes of WAL behind, a position "
                + "replayed within \(String(format: "%.1f", times[times.count / 2])) ms (median) and "
                + "\(String(format: "%.1f", times[times.count - 1])) ms (longest)"
        }
    }

    private static func replayed(_ connection: Connection) throws -> Int64 {
        try connection.query("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint").first?.decode(0) ?? 0
    }
}
