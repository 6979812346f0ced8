public import Access
public import Foundation
import Glibc

/// A real `touchstone serve` process on a free port, started from the binary built beside the
/// tests (`TOUCHSTONE_BINARY` names another), with `DATABASE_URL` and `TOUCHSTONE_MASTER_KEY` of a
/// test database. Its standard output and error go to ``logPath``.
public final class ServeProcess: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// Where its output goes.
    public let logPath: String
    /// A client of it.
    public var probe: HTTPProbe { HTTPProbe(port: port) }
    /// Its process id (the last one started).
    public private(set) var pid: pid_t = 0
    private let arguments: [String]
    private let environment: [String: String]

    /// Starts `touchstone serve` on `url` with data keys under `masterKey`, `extraEnvironment`
    /// added (e.g. `TOUCHSTONE_DRAIN_DELAY`), and waits until `/readyz` answers 200.
    public init(
        url: String, masterKey: MasterKey, connections: Int = 4, extraEnvironment: [String: String] = [:],
        port: Int? = nil
    ) async throws {
        self.port = try port ?? TestCluster.freePort()
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("touchstone-serve-\(UUID()).log").path
        arguments = [
            try Self.binary(), "serve", "--host", "127.0.0.1", "--port", String(self.port), "--connections",
            String(connections),
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        environment["DATABASE_OWNER_URL"] = nil
        environment[MasterKeyring.variable] = masterKey.base64
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "info"
        environment.merge(extraEnvironment) { $1 }
        self.environment = environment
        try await start()
    }

    /// Starts the process again (after ``kill(_:)``) on the same port and waits until it is ready.
    public func start() async throws {
        pid = try ChildProcess.spawn(arguments, environment: environment, output: logPath, append: true)
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let answer = try? await probe.send("GET", "/readyz", timeout: .seconds(5)), answer.status == 200 {
                return
            }
            if let status = exitStatus(waiting: false) {
                throw ServeProcessError.notStarted("exited with \(status): \(output)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServeProcessError.notStarted("not ready after 120 s: \(output)")
    }

    /// Sends `signal` to the process.
    public func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// The exit status once the process has ended (nil while it runs, or after `within` when
    /// waiting): the code it exited with, or 128 + the signal that killed it.
    public func exitStatus(waiting: Bool, within: Duration = .seconds(60)) -> Int32? {
        let deadline = ContinuousClock.now + within
        repeat {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
            if reaped < 0 { return -1 }
            if waiting { usleep(20_000) }
        } while waiting && ContinuousClock.now < deadline
        return nil
    }

    /// What the process has written so far.
    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// The `touchstone` binary: `TOUCHSTONE_BINARY`, else the one in the directory of the running
    /// test bundle (`swift build --show-bin-path`).
    public static func binary() throws -> String {
        if let given = ProcessInfo.processInfo.environment["TOUCHSTONE_BINARY"], !given.isEmpty { return given }
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: bundle).deletingLastPathComponent()
        // The test executable may sit inside `<bin>/<name>.xctest/…`.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("touchstone").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        throw ServeProcessError.notStarted("no touchstone binary beside \(bundle); set TOUCHSTONE_BINARY")
    }

    deinit {
        if exitStatus(waiting: false) == nil {
            _ = Glibc.kill(pid, SIGKILL)
            _ = exitStatus(waiting: true, within: .seconds(10))
        }
    }
}

/// Why a ``ServeProcess`` did not start.
public enum ServeProcessError: Error, CustomStringConvertible {
    case notStarted(String)

    public var description: String {
        switch self {
        case .notStarted(let reason): "touchstone serve did not start: \(reason)"
        }
    }
}
