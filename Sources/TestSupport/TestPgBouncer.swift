import Foundation
import Glibc
import PQ

/// PgBouncer (Debian's `pgbouncer`, 1.18) in front of a ``TestCluster``, in session pooling mode
/// as `deploy/SCALING.md` prescribes: its configuration is written to a temporary directory owned
/// by `postgres` (PgBouncer refuses to run as root), it listens on a free port of 127.0.0.1 with
/// `trust` authentication for the cluster's `postgres` user, and it is started as a daemon and
/// stopped by ``stop()`` or when it is released.
public final class TestPgBouncer: Sendable {
    /// Why PgBouncer cannot run here (not installed), or nil when it can.
    public static var unavailableReason: String? {
        FileManager.default.isExecutableFile(atPath: binary)
            ? nil : "\(binary) is missing: install Debian's pgbouncer (deploy/local/postgres.sh install pgbouncer)"
    }

    /// Where Debian installs it.
    static let binary = "/usr/sbin/pgbouncer"

    /// The port it listens on.
    public let port: Int
    private let directory: String
    private let asRoot: Bool

    /// PgBouncer in front of `cluster`, at most `serverConnections` server connections per database
    /// and user (`default_pool_size`); waits until it takes connections.
    public init(for cluster: TestCluster, serverConnections: Int = 40) async throws {
        if let reason = Self.unavailableReason { throw PQError(kind: .client, message: reason) }
        let source = try await cluster.administrationURL()
        guard let serverPort = URLComponents(string: source)?.port else {
            throw PQError(kind: .client, message: "no port in the cluster's URL")
        }
        asRoot = getuid() == 0
        directory = try TestCluster.makeDirectory(asRoot: asRoot)
        port = try TestCluster.freePort()
        let configuration = """
            [databases]
            * = host=127.0.0.1 port=\(serverPort)
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(directory)/userlist.txt
            pool_mode = session
            default_pool_size = \(serverConnections)
            max_client_conn = 1000
            logfile = \(directory)/pgbouncer.log
            pidfile = \(directory)/pgbouncer.pid

            """
        try configuration.write(toFile: "\(directory)/pgbouncer.ini", atomically: true, encoding: .utf8)
        try #""postgres" """#.write(toFile: "\(directory)/userlist.txt", atomically: true, encoding: .utf8)
        if asRoot {
            try TestCluster.run(
                ["chown", "postgres:postgres", "\(directory)/pgbouncer.ini", "\(directory)/userlist.txt"],
                asPostgres: false)
        }
        try TestCluster.run([Self.binary, "-d", "\(directory)/pgbouncer.ini"], asPostgres: asRoot)
        let url = self.url(of: source)
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? Connection(conninfo: url)) == nil {
            guard ContinuousClock.now < deadline else {
                throw PQError(kind: .connectionFailed, message: "PgBouncer did not start: \(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The URL of `databaseURL`'s database (on the cluster behind it) through PgBouncer.
    public func url(of databaseURL: String) -> String {
        guard var components = URLComponents(string: databaseURL) else { return databaseURL }
        components.host = "127.0.0.1"
        components.port = port
        return components.string ?? databaseURL
    }

    /// What PgBouncer has logged.
    public var log: String {
        (try? String(contentsOfFile: "\(directory)/pgbouncer.log", encoding: .utf8)) ?? ""
    }

    /// Stops PgBouncer at once (SIGTERM: it closes every connection) and waits until it is gone.
    public func stop() {
        guard let text = try? String(contentsOfFile: "\(directory)/pgbouncer.pid", encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        _ = kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { usleep(20_000) }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
