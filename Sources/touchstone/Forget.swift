import ArgumentParser
import EventStore
import Foundation
import JSON
import PQ
import Recording
import Sales

/// `touchstone forget CLIENT_ID`: erases a client's personal data (its data keys are deleted and
/// a `ClientPersonalDataErased` event recorded), as `DELETE /v1/clients/{id}/personal-data` does.
struct Forget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a client's personal data (names, contacts, free texts); figures stay.")

    @Argument(help: "The client's id.")
    var clientId: String

    func run() async throws {
        guard let client = UUID(uuidString: clientId) else { throw fail("\(clientId) is not a client id (a UUID)") }
        let logger = DatabaseEnvironment.logger("touchstone.forget")
        let pool = ConnectionPool(conninfo: try DatabaseEnvironment.runtimeURL(), size: 1, logger: logger)
        defer { pool.close() }
        let personalData = try await DatabaseEnvironment.personalData(on: pool)
        let erasure = ClientErasure(store: EventStore(pool: pool, logger: logger), personalData: personalData)
        do {
            let receipt = try await erasure.erase(client, actor: DatabaseEnvironment.cliActor)
            print(String(decoding: receipt.json.serialized(), as: UTF8.self))
        } catch let violation as SalesRuleViolation {
            throw fail(violation.description)
        } catch let error as PQError {
            throw fail("database error: \(error.message)")
        }
    }
}
