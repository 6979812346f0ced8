public import Foundation
public import PQ

/// Applies the numbered SQL files of `Schema/` in order, each once, recording
/// each with a checksum; refuses to run when an applied file has changed.
public struct Migrator: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Equatable {
        /// The number the file name starts with.
        public var version: Int
        /// The file name.
        public var name: String
        /// The SQL script.
        public var script: String
    }

    /// Why migrating stopped.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No schema directory, or no migrations in it.
        case noMigrations(String)
        /// A file not named `NNNN_name.sql`, or two files with one number.
        case badFileName(String)
        /// An applied migration whose file has changed since.
        case changedAfterApply(name: String)
        /// The database has a migration this program does not know (it is older).
        case unknownApplied(version: Int)

        public var description: String {
            switch self {
            case .noMigrations(let path): "no migrations found in \(path)"
            case .badFileName(let name): "migration file \(name) is not named NNNN_name.sql or repeats a number"
            case .changedAfterApply(let name):
                "migration \(name) was changed after it was applied; add a new migration instead"
            case .unknownApplied(let version):
                "the database has migration \(version), which this build does not know: upgrade touchstone"
            }
        }
    }

    /// The migrations, in order.
    public let migrations: [Migration]

    /// The newest migration (`Schema/NNNN_…`) this build's queries need: `/readyz` answers 503
    /// until the database has it. A test holds it equal to the newest file of `Schema/`.
    public static let requiredVersion = 18

    /// Whether the database on `connection` has every migration this build needs
    /// (``requiredVersion``).
    public static func isCurrent(on connection: Connection) throws -> Bool {
        let recorded: Bool =
            try connection.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
            .first?.decode(0) ?? false
        guard recorded else { return false }
        return try connection.query("SELECT coalesce(max(version), 0) >= \(requiredVersion) FROM schema_migrations")
            .first?.decode(0) ?? false
    }

    /// Grants the runtime role `role` what it may do, as migration 0013's `grant_runtime_role`
    /// lists it (run as the owner, after the migrations).
    public static func grantRuntimeRole(_ role: String, on connection: Connection) throws {
        _ = try connection.query("SELECT grant_runtime_role(\(role)::name)")
    }

    /// Reads `NNNN_name.sql` files from `directory`.
    public init(directory: URL) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var found = [Migration]()
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let number = name.split(separator: "_").first.flatMap({ Int($0) }), name.contains("_") else {
                throw Failure.badFileName(name)
            }
            let script = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            found.append(Migration(version: number, name: name, script: script))
        }
        guard !found.isEmpty else { throw Failure.noMigrations(directory.path) }
        guard Set(found.map(\.version)).count == found.count else { throw Failure.badFileName("(duplicate number)") }
        migrations = found
    }

    /// Where the migrations are: `$TOUCHSTONE_SCHEMA_DIR`, else `./Schema`, else
    /// `Schema/` beside the package the executable was built in, else
    /// `/usr/share/touchstone/Schema`.
    public static func defaultDirectory() -> URL {
        if let configured = ProcessInfo.processInfo.environment["TOUCHSTONE_SCHEMA_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Schema"),
            // .build/<triple>/<configuration>/touchstone → the package root.
            URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
                .deletingLastPathComponent().appendingPathComponent("../../../Schema").standardized,
        ]
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.path) {
            return candidate
        }
        return URL(fileURLWithPath: "/usr/share/touchstone/Schema")
    }

    /// Applies every migration not yet applied, each in its own transaction,
    /// under an advisory lock so concurrent runs take turns. Returns the names
    /// applied now (empty when the database was up to date).
    public func migrate(on connection: Connection) throws -> [String] {
        try connection.execute("SELECT pg_advisory_lock(1953719668, 1)")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(1953719668, 1)") }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied = [Int: String]()
        for row in try connection.query("SELECT version, checksum FROM schema_migrations").rows {
            applied[try row.decode(0)] = try row.decode(1)
        }
        let known = Set(migrations.map(\.version))
        if let stranger = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw Failure.unknownApplied(version: stranger)
        }
        var done = [String]()
        for migration in migrations {
            let checksum: String =
                try connection.query(
                    "SELECT encode(sha256(convert_to(\(migration.script), 'UTF8')), 'hex')"
                ).first?.decode(0) ?? ""
            if let recorded = applied[migration.version] {
                guard recorded == checksum else { throw Failure.changedAfterApply(name: migration.name) }
                continue
            }
            try connection.transaction { connection in
                try connection.executeScript(migration.script)
                try connection.execute(
                    """
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(checksum))
                    """)
            }
            done.append(migration.name)
        }
        return done
    }
}
