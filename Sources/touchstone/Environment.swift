import Access
import ArgumentParser
import Foundation
import Glibc
import Logging
import PQ
import Projections
import Recording

/// Where the database is, from the environment.
struct DatabaseEnvironment {
    /// `DATABASE_URL`: the runtime role.
    static func runtimeURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("DATABASE_URL is not set (e.g. postgresql://touchstone@127.0.0.1:5432/touchstone)")
        }
        return url
    }

    /// `DATABASE_OWNER_URL`, falling back to `DATABASE_URL` in a single-role set-up.
    static func ownerURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["DATABASE_OWNER_URL"], !url.isEmpty { return url }
        return try runtimeURL()
    }

    /// The clients' data keys under the master key that `TOUCHSTONE_MASTER_KEY` (or
    /// `TOUCHSTONE_MASTER_KEY_FILE`) gives, checked against the database on `pool`.
    /// - Throws: exit 1 with a one-line message naming the variable when the key is missing,
    ///   malformed, or not the one this database's data keys are wrapped with. Nothing is written.
    static func personalData(on pool: ConnectionPool) async throws -> PersonalDataKeys {
        let keys: PersonalDataKeys
        do {
            keys = PersonalDataKeys(masterKeys: try MasterKeyring.fromEnvironment())
        } catch {
            throw fail(error.description)
        }
        do {
            try await pool.withConnection { connection in try keys.verify(on: connection) }
        } catch let error as MasterKeyError {
            throw fail(error.description)
        } catch let error as PQError {
            throw fail("database error: \(error.message)")
        }
        return keys
    }

    /// `TOUCHSTONE_STATE_CACHE_MB`: how many MiB (by estimate) the deciders' states kept in memory
    /// may take; default 128, `0` keeps none.
    static func stateCacheBytes() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["TOUCHSTONE_STATE_CACHE_MB"], !text.isEmpty else {
            return DeciderStateCache.defaultBudgetBytes
        }
        guard let mebibytes = Int(text), (0...1_048_576).contains(mebibytes) else {
            throw fail("TOUCHSTONE_STATE_CACHE_MB is '\(text)'; give whole MiB from 0 to 1048576 (e.g. 128)")
        }
        return mebibytes << 20
    }

    /// The actor recorded for CLI commands: `cli:<OS user>`, from the password
    /// database (so it holds under sudo, cron and CI, where `USER` may be unset).
    static var cliActor: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name, let user = String(validatingCString: name),
            !user.isEmpty
        {
            return "cli:" + user
        }
        return "cli:uid-\(getuid())"
    }

    /// A logger at the level `LOG_LEVEL` names (default info).
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel =
            ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }
}

/// Prints a one-line error and exits 1 (rejected input or failed check).
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("touchstone: " + message + "\n").utf8))
    return ExitCode(1)
}

extension DatabaseEnvironment {
    /// Runs `body` with the read models on a small pool on DATABASE_URL (names are opened with the
    /// clients' data keys, so the master key is checked first).
    static func withReadModels<T>(
        size: Int = 1, logger: Logger, _ body: (ReadModels) async throws -> T
    ) async throws -> T {
        let pool = ConnectionPool(conninfo: try DatabaseEnvironment.runtimeURL(), size: size, logger: logger)
        defer { pool.close() }
        return try await body(
            ReadModels(pool: pool, personalData: try await DatabaseEnvironment.personalData(on: pool), logger: logger))
    }
}
