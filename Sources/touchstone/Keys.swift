import Access
import ArgumentParser
import Foundation
import PQ

/// `touchstone keys generate | status | rotate`: the master key that wraps the clients' data keys.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a master key, or show or rotate the master key of the clients' data keys.",
        subcommands: [Generate.self, Status.self, Rotate.self])

    /// `keys generate`: prints a new random master key (base64 of 32 bytes).
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random master key, for TOUCHSTONE_MASTER_KEY or its file.")

        func run() {
            print(MasterKey.random().base64)
        }
    }

    /// `keys status`: the fingerprint of the keys given, and how many data keys each master key wraps.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which master key wraps how many data keys.")

        func run() async throws {
            let (personalData, counts) = try await withDataKeys { personalData, connection in
                try personalData.countsByMasterKey(on: connection)
            }
            let keyring = personalData.masterKeys
            print("current master key:  \(keyring.current.fingerprint) (\(MasterKeyring.variable))")
            if let previous = keyring.previous {
                print("previous master key: \(previous.fingerprint) (\(MasterKeyring.previousVariable))")
            }
            for (fingerprint, count) in counts { print("\(fingerprint): \(count) data keys") }
            if counts.isEmpty { print("no data keys yet") }
        }
    }

    /// `keys rotate`: rewraps every data key wrapped by the previous master key with the current one.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Rewrap every data key with TOUCHSTONE_MASTER_KEY (the old key in TOUCHSTONE_PREVIOUS_MASTER_KEY).",
            discussion: """
                Rotation without downtime: give every process the new key as TOUCHSTONE_MASTER_KEY and \
                the old one as TOUCHSTONE_PREVIOUS_MASTER_KEY and restart them one by one; run this; then \
                remove TOUCHSTONE_PREVIOUS_MASTER_KEY and restart them again. Sealed values are not touched.
                """)

        func run() async throws {
            do {
                let (personalData, count) = try await withDataKeys { personalData, connection in
                    try personalData.rotate(on: connection)
                }
                print(
                    "rewrapped \(count) data key(s) with master key \(personalData.masterKeys.current.fingerprint); "
                        + "\(MasterKeyring.previousVariable) may now be removed")
            } catch let error as MasterKeyError {
                throw fail(error.description)
            }
        }
    }
}

/// Runs `body` on a one-connection pool of `DATABASE_URL` with the clients' data keys under the
/// master key the environment gives (exit 1 when it cannot be used).
private func withDataKeys<T: Sendable>(
    _ body: @escaping @Sendable (PersonalDataKeys, Connection) throws -> T
) async throws -> (PersonalDataKeys, T) {
    let pool = ConnectionPool(
        conninfo: try DatabaseEnvironment.runtimeURL(), size: 1, logger: DatabaseEnvironment.logger("touchstone.keys"))
    defer { pool.close() }
    let personalData = try await DatabaseEnvironment.personalData(on: pool)
    return (personalData, try await pool.withConnection { connection in try body(personalData, connection) })
}
