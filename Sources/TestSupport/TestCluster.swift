import EventStore
public import Foundation
import Glibc
import Logging
import PQ
import Synchronization

/// The PostgreSQL server the tests run against.
///
/// Unless `TEST_DATABASE_URL` names one, a throwaway cluster is made on first
/// use: `initdb` into a temporary directory owned by `postgres` (run through
/// `runuser` when the tests run as root, since initdb refuses root), started
/// with `pg_ctl` on a free port, and stopped and removed when the process
/// exits. `DATABASE_URL` is never read.
public actor TestCluster {
    /// The one cluster of this test process.
    public static let shared = TestCluster(mayUseGivenServer: true)

    private var adminURL: String?
    private var templateName: String?
    private var directory: String?
    private var startOptions: String?
    /// Whether `TEST_DATABASE_URL` may stand in for a cluster of our own.
    private let mayUseGivenServer: Bool

    private init(mayUseGivenServer: Bool = true) {
        self.mayUseGivenServer = mayUseGivenServer
    }

    /// A throwaway cluster of its own (never `TEST_DATABASE_URL`), for tests that stop and
    /// restart the server (``restart(downFor:)``) without disturbing the others.
    public static func dedicated() -> TestCluster {
        TestCluster(mayUseGivenServer: false)
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`, as a crash would), runs `whileDown`,
    /// and starts it again on the same port and data. Only for a ``dedicated()`` cluster.
    public func restart(whileDown: @Sendable () async throws -> Void = {}) async throws {
        guard let directory, let startOptions else {
            throw PQError(kind: .client, message: "only a throwaway cluster can be restarted")
        }
        let bin = try Self.binaryDirectory()
        let asRoot = getuid() == 0
        _ = try Self.run(["\(bin)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "stop"], asPostgres: asRoot)
        do {
            try await whileDown()
        } catch {
            _ = try? Self.start(bin: bin, directory: directory, options: startOptions, asRoot: asRoot)
            throw error
        }
        try Self.start(bin: bin, directory: directory, options: startOptions, asRoot: asRoot)
    }

    /// A URL to the cluster's `postgres` database, starting the cluster if needed.
    public func administrationURL() throws -> String {
        if let adminURL { return adminURL }
        let url: String
        if mayUseGivenServer, let given = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !given.isEmpty {
            url = given
        } else {
            url = try startThrowawayCluster()
        }
        adminURL = url
        return url
    }

    /// Creates a new, empty database and returns its URL.
    public func makeDatabase(migrated: Bool = true) throws -> String {
        let admin = try administrationURL()
        let name = "ts_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let connection = try Connection(conninfo: admin)
        if migrated {
            let template = try migratedTemplate(admin: admin, connection: connection)
            try connection.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: template)")
        } else {
            try connection.execute("CREATE DATABASE \(identifier: name)")
        }
        return Self.url(admin, database: name)
    }

    /// The cluster's server binaries (`pg_config --bindir`).
    public static func binaryDirectory() throws -> String {
        let output = try run(["pg_config", "--bindir"], asPostgres: false)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The migrations of this repository (`Schema/` at the package root).
    public static var schemaDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schema")
    }

    private func migratedTemplate(admin: String, connection: Connection) throws -> String {
        if let templateName { return templateName }
        let name = "ts_template_" + String(UUID().uuidString.prefix(8)).lowercased()
        try connection.execute("CREATE DATABASE \(identifier: name)")
        do {
            let target = try Connection(conninfo: Self.url(admin, database: name))
            _ = try Migrator(directory: Self.schemaDirectory).migrate(on: target)
        }
        templateName = name
        return name
    }

    private func startThrowawayCluster() throws -> String {
        let bin = try Self.binaryDirectory()
        let asRoot = getuid() == 0
        let dir = try Self.makeDirectory(asRoot: asRoot)
        _ = try Self.run(
            [
                "\(bin)/initdb", "-D", "\(dir)/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                "--locale=C",
            ], asPostgres: asRoot)
        let port = try Self.freePort()
        // A dedicated cluster is stopped as by a crash mid-test: every acknowledged commit must
        // survive that, so it keeps synchronous_commit (fsync stays off: the machine does not crash).
        let options = [
            "-p \(port)", "-k \(dir)", "-c listen_addresses=127.0.0.1", "-c fsync=off",
            "-c synchronous_commit=\(mayUseGivenServer ? "off" : "on")", "-c full_page_writes=off",
            "-c max_connections=400", "-c shared_buffers=256MB",
        ].joined(separator: " ")
        try Self.start(bin: bin, directory: dir, options: options, asRoot: asRoot)
        directory = dir
        startOptions = options
        Self.stopAtExit(bin: bin, directory: dir, asRoot: asRoot)
        return "postgresql://postgres@127.0.0.1:\(port)/postgres"
    }

    /// A new temporary directory for a cluster, owned by `postgres` when the tests run as root.
    static func makeDirectory(asRoot: Bool) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("touchstone-test-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if asRoot { _ = try run(["chown", "postgres:postgres", dir], asPostgres: false) }
        return dir
    }

    /// Stops the server of the cluster in `directory` (as by a crash) and removes the directory
    /// when the test process exits.
    static func stopAtExit(bin: String, directory: String, asRoot: Bool) {
        let first = clustersToStop.withLock { clusters in
            clusters.append((bin: bin, directory: directory, asRoot: asRoot))
            return clusters.count == 1
        }
        guard first else { return }
        atexit {
            for cluster in clustersToStop.withLock({ $0 }) {
                _ = try? TestCluster.run(
                    ["\(cluster.bin)/pg_ctl", "-D", "\(cluster.directory)/data", "-m", "immediate", "stop"],
                    asPostgres: cluster.asRoot)
                try? FileManager.default.removeItem(atPath: cluster.directory)
            }
        }
    }

    /// Starts the server of the cluster in `directory` with `options` and waits until it answers.
    static func start(bin: String, directory: String, options: String, asRoot: Bool) throws {
        _ = try run(
            [
                "\(bin)/pg_ctl", "-D", "\(directory)/data", "-o", options, "-l", "\(directory)/server.log", "-w",
                "start",
            ],
            asPostgres: asRoot)
    }

    /// `admin` with its database name replaced by `database`.
    static func url(_ admin: String, database: String) -> String {
        guard var components = URLComponents(string: admin) else { return admin }
        components.path = "/" + database
        return components.string ?? admin
    }

    /// Runs a command to its end (as `postgres` through `runuser` if asked) and
    /// returns what it printed. Output goes to a file, not a pipe, and the child
    /// is reaped with `waitpid`: the server `pg_ctl` starts lives on and must not
    /// hold anything the caller waits for.
    @discardableResult
    static func run(_ arguments: [String], asPostgres: Bool) throws -> String {
        let command = asPostgres ? ["runuser", "-u", "postgres", "--"] + arguments : arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("touchstone-run-\(UUID()).log").path
        defer { unlink(log) }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(command, output: log, append: false)
        } catch {
            throw PQError(kind: .connectionFailed, message: "\(error)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let exitedCleanly = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
        guard exitedCleanly else {
            throw PQError(kind: .connectionFailed, message: "\(command.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    public static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        guard bound else { throw PQError(kind: .connectionFailed, message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

private let clustersToStop = Mutex<[(bin: String, directory: String, asRoot: Bool)]>([])
