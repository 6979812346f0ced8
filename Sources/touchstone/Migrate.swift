import ArgumentParser
import EventStore
import Foundation
import PQ
import Projections
import Recording

/// `touchstone migrate`: applies the numbered SQL files of `Schema/`, then seals any personal
/// value that a database from before migration 0008 still holds in plaintext (and rebuilds the
/// read models, so that none keeps a plaintext copy). It needs the master key for that.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the database migrations (as DATABASE_OWNER_URL, else DATABASE_URL).")

    @Option(help: "The directory of NNNN_name.sql files (default: TOUCHSTONE_SCHEMA_DIR, ./Schema, …).")
    var schema: String?

    func run() async throws {
        let directory = schema.map { URL(fileURLWithPath: $0) } ?? Migrator.defaultDirectory()
        let migrator: Migrator
        do {
            migrator = try Migrator(directory: directory)
        } catch let failure as Migrator.Failure {
            throw fail(failure.description)
        }
        let ownerURL = try DatabaseEnvironment.ownerURL()
        let runtimeURL = try DatabaseEnvironment.runtimeURL()
        let logger = DatabaseEnvironment.logger("touchstone.migrate")
        let pool = ConnectionPool(conninfo: ownerURL, size: 1, logger: logger)
        defer { pool.close() }
        let personalData = try await DatabaseEnvironment.personalData(on: pool)
        do {
            let (applied, sealed) = try await pool.withConnection { connection in
                let applied = try migrator.migrate(on: connection)
                try Self.grantRuntimeRole(runtimeURL: runtimeURL, ownerURL: ownerURL, on: connection)
                // Partitions of the log ready ahead, each with the grants just given to the log.
                _ = try LogPartitions.ensure(on: connection)
                return (applied, try PlaintextSealing.run(personalData: personalData, on: connection))
            }
            print(applied.isEmpty ? "database is up to date" : "applied \(applied.joined(separator: ", "))")
            if sealed > 0 {
                print("sealed the plaintext personal values of \(sealed) events; rebuilding the read models")
                let runtime = ConnectionPool(conninfo: runtimeURL, size: 1, logger: logger)
                defer { runtime.close() }
                _ = try await runtime.withConnection { connection in
                    try ProjectionRebuild(projections: Projection.all, personalData: personalData, logger: logger)
                        .run(on: connection)
                }
            }
        } catch let failure as Migrator.Failure {
            throw fail(failure.description)
        } catch let error as PQError {
            throw fail("migration failed: \(error.message)")
        }
    }

    /// In a two-role set-up, gives the runtime role what migration 0013's `grant_runtime_role`
    /// lists: INSERT and SELECT on the log (no UPDATE or DELETE), what appends need on the guard
    /// tables, what tokens, idempotency records and data keys need, and ownership of the
    /// read-model schema (rebuilds create and drop its tables).
    static func grantRuntimeRole(runtimeURL: String, ownerURL: String, on connection: Connection) throws {
        guard runtimeURL != ownerURL else { return }
        let runtime = try Connection(conninfo: runtimeURL)
        let role: String = try runtime.query("SELECT current_user").first?.decode(0) ?? ""
        let owner: String = try connection.query("SELECT current_user").first?.decode(0) ?? ""
        guard !role.isEmpty, role != owner else { return }
        try Migrator.grantRuntimeRole(role, on: connection)
    }
}
