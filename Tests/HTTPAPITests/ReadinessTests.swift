import HTTPAPI
import Hummingbird
import HummingbirdTesting
import JSON
import PQ
import TestSupport
import Testing

@Suite("Readiness")
struct ReadinessTests {
    @Test func readyOnlyOnAFullyMigratedDatabase() async throws {
        let migrated = try await TestDatabase.make()
        let ready = buildApplication(
            APIDependencies(pool: migrated.pool, personalData: migrated.personalData, logger: TestDatabase.logger))
        try await ready.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
        }
        let empty = try await TestDatabase.make(migrated: false)
        let unready = buildApplication(
            APIDependencies(pool: empty.pool, personalData: empty.personalData, logger: TestDatabase.logger))
        try await unready.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
        try await migrated.pool.withConnection { connection in
            try connection.execute(
                "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
        }
        try await ready.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
        }
    }
}
