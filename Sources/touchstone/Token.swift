import Access
import ArgumentParser
import Foundation
import PQ

/// `touchstone token`: makes, lists and revokes the API's bearer tokens.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API bearer tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// `touchstone token create --role R --name N`: prints the new token once.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token; the secret is printed once and only its hash is stored.")

        @Option(help: "One of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
        var role: String

        @Option(help: "Who or what holds the token; recorded as the actor \"<role>:<name>\".")
        var name: String

        @Option(help: "Days after which the token is refused (default: until revoked).")
        var expiresInDays: Int?

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw fail("unknown role \(role); use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let expiresInDays, !(1...36_500).contains(expiresInDays) {
                throw fail("--expires-in-days must be a whole number of days from 1 to 36500")
            }
            let lifetime = expiresInDays.map { Duration.seconds(Int64($0) * 86_400) }
            let made = try await Token.withStore { store in
                do {
                    return try await store.create(role: role, name: name, expiresIn: lifetime)
                } catch let error as TokenNameError {
                    throw fail(error.description)
                }
            }
            print("token: \(made.token)")
            print("id:    \(made.record.tokenID.uuidString.lowercased())")
            if let expiresAt = made.record.expiresAt { print("expires: \(expiresAt)") }
            print("Keep the token now: it is not stored and cannot be shown again.")
        }
    }

    /// `touchstone token list [--json]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every token, active and revoked.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let records = try await Token.withStore { store in try await store.list() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(records), as: UTF8.self))
                return
            }
            let header = ["ID", "NAME", "ROLE", "CREATED", "REVOKED", "EXPIRES"]
            let rows = records.map {
                [
                    $0.tokenID.uuidString.lowercased(), $0.name, $0.role.rawValue, $0.createdAt, $0.revokedAt ?? "-",
                    $0.expiresAt ?? "-",
                ]
            }
            print(textTable(header: header, rows: rows), terminator: "")
        }
    }

    /// `touchstone token revoke <id>` or `touchstone token revoke --name N`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by id, or every active token of a name.")

        @Argument(help: "The token's id.")
        var id: String?

        @Option(help: "Revoke every active token with this name instead.")
        var name: String?

        func validate() throws {
            guard (id == nil) != (name == nil) else {
                FileHandle.standardError.write(
                    Data(
                        "touchstone: give either a token id or --name\nUsage: touchstone token revoke (<id> | --name <name>)\n"
                            .utf8))
                throw ExitCode(2)
            }
        }

        func run() async throws {
            if let name {
                let count = try await Token.withStore { store in try await store.revoke(named: name) }
                print("revoked \(count) token\(count == 1 ? "" : "s") named \(name)")
                return
            }
            guard let text = id, let id = UUID(uuidString: text) else {
                throw fail("\(self.id ?? "") is not a token id (a UUID)")
            }
            guard try await Token.withStore({ store in try await store.revoke(id) }) else {
                throw fail("no active token with id \(id.uuidString.lowercased())")
            }
            print("revoked \(id.uuidString.lowercased())")
        }
    }

    /// Runs `body` with a token store on `DATABASE_URL`, closing the pool after.
    static func withStore<T: Sendable>(_ body: (TokenStore) async throws -> T) async throws -> T {
        let pool = ConnectionPool(
            conninfo: try DatabaseEnvironment.runtimeURL(), size: 1,
            logger: DatabaseEnvironment.logger("touchstone.token"))
        defer { pool.close() }
        do {
            return try await body(TokenStore(pool: pool))
        } catch let error as PQError {
            throw fail("database error: \(error.message)")
        }
    }
}

/// A plain-text table for CLI output: left-aligned columns two spaces apart,
/// each line (the header first) ending in a newline.
func textTable(header: [String], rows: [[String]]) -> String {
    let lines = [header] + rows
    let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
    return lines.map { line in
        line.indices.map { column in
            column == line.count - 1
                ? line[column] : line[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
        }.joined(separator: "  ") + "\n"
    }.joined()
}
