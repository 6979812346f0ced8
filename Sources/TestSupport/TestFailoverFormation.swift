import EventStore
import Foundation
import Glibc
import PQ

/// A pg_auto_failover formation on this machine (Debian's `postgresql-15-auto-failover`): a
/// monitor, a primary and a synchronous standby, each a `pg_autoctl create … --run` process run as
/// `postgres` (through `runuser` when the tests run as root) in a temporary directory, on free
/// ports of 127.0.0.1 with `trust` authentication. ``url(of:)`` names both nodes with
/// `target_session_attrs=read-write`, so a client reaches whichever is primary. Stopped with
/// `pg_autoctl stop` when released.
public final class TestFailoverFormation: @unchecked Sendable {
    /// Why pg_auto_failover cannot run here (not installed), or nil when it can.
    public static var unavailableReason: String? {
        FileManager.default.isExecutableFile(atPath: binary)
            ? nil : "\(binary) is missing: install Debian's postgresql-15-auto-failover"
    }

    static let binary = "/usr/bin/pg_autoctl"

    private let directory: String
    private let asRoot: Bool
    private let bin: String
    private let monitorPort: Int
    /// The ports of the two nodes, the first made first (the first primary).
    public let nodePorts: [Int]
    private var pids: [pid_t] = []

    /// Makes the formation and waits until it has a primary and a secondary.
    public init() async throws {
        if let reason = Self.unavailableReason { throw PQError(kind: .client, message: reason) }
        bin = try TestCluster.binaryDirectory()
        asRoot = getuid() == 0
        directory = try TestCluster.makeDirectory(asRoot: asRoot)
        monitorPort = try TestCluster.freePort()
        nodePorts = [try TestCluster.freePort(), try TestCluster.freePort()]
        let common = ["--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--run"]
        try spawn(["create", "monitor", "--pgdata", "\(directory)/monitor", "--pgport", String(monitorPort)] + common)
        try await waitUntil("the monitor answers", within: .seconds(120)) {
            (try? Connection(conninfo: self.monitorURL)) != nil
        }
        let monitor = "postgres://autoctl_node@127.0.0.1:\(monitorPort)/pg_auto_failover?sslmode=disable"
        for (index, port) in nodePorts.enumerated() {
            try spawn(
                [
                    "create", "postgres", "--pgdata", "\(directory)/node\(index + 1)", "--pgport", String(port),
                    "--monitor", monitor,
                ]
                    + common)
            try await waitUntil("node \(index + 1) joins", within: .seconds(180)) {
                try self.settledNodes() == index + 1
            }
        }
    }

    /// The URL of the database `name` on whichever node is primary.
    public func url(of name: String) -> String {
        let hosts = nodePorts.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        return "postgresql://postgres@\(hosts)/\(name)?target_session_attrs=read-write&connect_timeout=2"
    }

    /// Creates a new database on the primary, migrates it, and answers its URL.
    public func makeDatabase() throws -> String {
        let name = "ts_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try Connection(conninfo: url(of: "postgres")).execute("CREATE DATABASE \(identifier: name)")
        _ = try Migrator(directory: TestCluster.schemaDirectory).migrate(on: try Connection(conninfo: url(of: name)))
        return url(of: name)
    }

    /// Has the monitor fail the primary over to the standby (`pg_autoctl perform failover`, which
    /// returns once the standby is the new primary), and answers how long that took.
    public func failOver() throws -> Duration {
        let started = ContinuousClock.now
        try TestCluster.run(
            [
                "env", "PATH=\(bin):/usr/bin:/bin", Self.binary, "perform", "failover", "--pgdata",
                "\(directory)/monitor",
            ],
            asPostgres: asRoot)
        return ContinuousClock.now - started
    }

    /// The port of the node that is primary now, by the monitor.
    public func primaryPort() throws -> Int {
        let port: Int32 =
            try Connection(conninfo: monitorURL).query(
                "SELECT nodeport FROM pgautofailover.node WHERE reportedstate = 'primary' AND goalstate = 'primary'"
            ).first?.decode(0) ?? 0
        return Int(port)
    }

    /// The nodes whose reported state is their goal: single (the first, alone), primary or secondary.
    private func settledNodes() throws -> Int {
        let count: Int64 =
            try Connection(conninfo: monitorURL).query(
                """
                SELECT count(*) FROM pgautofailover.node
                 WHERE reportedstate = goalstate AND reportedstate IN ('single', 'primary', 'secondary')
                """
            ).first?.decode(0) ?? 0
        return Int(count)
    }

    private var monitorURL: String {
        "postgresql://postgres@127.0.0.1:\(monitorPort)/pg_auto_failover?connect_timeout=2"
    }

    private func spawn(_ arguments: [String]) throws {
        let command = ["env", "PATH=\(bin):/usr/bin:/bin", Self.binary] + arguments
        let log = "\(directory)/\(arguments[1]).log"
        pids.append(
            try ChildProcess.spawn(
                asRoot ? ["runuser", "-u", "postgres", "--"] + command : command, output: log, append: true))
    }

    private func waitUntil(_ what: String, within: Duration, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if (try? condition()) == true { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw PQError(kind: .connectionFailed, message: "pg_auto_failover: timed out waiting until \(what)")
    }

    deinit {
        for data in ["node2", "node1", "monitor"] {
            _ = try? TestCluster.run(
                ["env", "PATH=\(bin):/usr/bin:/bin", Self.binary, "stop", "--pgdata", "\(directory)/\(data)"],
                asPostgres: asRoot)
        }
        for pid in pids {
            var status: Int32 = 0
            for _ in 0..<500 where waitpid(pid, &status, WNOHANG) == 0 { usleep(20_000) }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
