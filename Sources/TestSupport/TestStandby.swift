import Foundation
import Glibc
import PQ

/// A streaming hot standby of a ``TestCluster``, made on this machine as an operator would:
/// `pg_basebackup -R -X stream` from the running primary into a temporary directory (owned by
/// `postgres`, through `runuser` when the tests run as root), then started with `pg_ctl` on a free
/// port with `hot_standby = on`. It replays the primary's write-ahead log as it is written and
/// answers reads; it is stopped and removed when the test process exits.
public final class TestStandby: Sendable {
    /// A URL to the standby's `postgres` database.
    public let administrationURL: String

    /// A standby of `primary` (which must be a cluster of this process, e.g. ``TestCluster/dedicated()``).
    public init(of primary: TestCluster) async throws {
        let source = try await primary.administrationURL()
        guard let primaryPort = URLComponents(string: source)?.port else {
            throw PQError(kind: .client, message: "no port in the primary's URL")
        }
        let bin = try TestCluster.binaryDirectory()
        let asRoot = getuid() == 0
        let directory = try TestCluster.makeDirectory(asRoot: asRoot)
        try TestCluster.run(
            [
                "\(bin)/pg_basebackup", "-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D",
                "\(directory)/data", "-R", "-X", "stream", "-c", "fast", "--no-sync",
            ], asPostgres: asRoot)
        let port = try TestCluster.freePort()
        // A hot standby needs max_connections at least the primary's (400, see TestCluster).
        let options = [
            "-p \(port)", "-k \(directory)", "-c listen_addresses=127.0.0.1", "-c hot_standby=on", "-c fsync=off",
            "-c max_connections=400", "-c shared_buffers=128MB",
        ].joined(separator: " ")
        try TestCluster.start(bin: bin, directory: directory, options: options, asRoot: asRoot)
        TestCluster.stopAtExit(bin: bin, directory: directory, asRoot: asRoot)
        administrationURL = "postgresql://postgres@127.0.0.1:\(port)/postgres"
    }

    /// The URL of the standby's copy of the primary's database at `primaryURL`.
    public func url(of primaryURL: String) -> String {
        let name = URLComponents(string: primaryURL)?.path.dropFirst() ?? "postgres"
        return TestCluster.url(administrationURL, database: String(name))
    }
}
