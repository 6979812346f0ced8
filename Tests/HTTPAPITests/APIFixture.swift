import Access
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import JSON
import Logging
import PQ
import Prometheus
import Recording
import Sales
import TestSupport

/// A fresh migrated database, the API's dependencies on it and one token per role.
struct APIFixture {
    let database: TestDatabase
    let dependencies: APIDependencies
    let tokens: [Role: String]

    static func make(states: DeciderStateCache = DeciderStateCache()) async throws -> APIFixture {
        let database = try await TestDatabase.make()
        let store = TokenStore(pool: database.pool)
        var tokens = [Role: String]()
        for role in Role.allCases {
            tokens[role] = try await store.create(role: role, name: "\(role.rawValue)-tester").token
        }
        return APIFixture(
            database: database,
            dependencies: APIDependencies(
                pool: database.pool, personalData: database.personalData, logger: TestDatabase.logger, states: states),
            tokens: tokens)
    }

    /// The same database and tokens with dependencies that log to `logger`, count into
    /// `metrics` or keep keys in `idempotency` instead of the defaults.
    func with(
        logger: Logger = TestDatabase.logger, metrics: PrometheusCollectorRegistry = .init(),
        idempotency: (any IdempotencyRecording)? = nil
    ) -> APIFixture {
        APIFixture(
            database: database,
            dependencies: APIDependencies(
                pool: database.pool, personalData: database.personalData, logger: logger, idempotency: idempotency,
                metrics: metrics),
            tokens: tokens)
    }

    /// A new application instance on the same database.
    func application() -> some ApplicationProtocol {
        buildApplication(dependencies)
    }

    /// Runs `body` against a fresh application instance.
    func run<Value: Sendable>(
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws
        -> Value
    {
        try await application().test(.router) { client in try await body(client) }
    }

    /// How many events the log holds.
    func eventCount() async throws -> Int64 {
        try await database.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM events").first?.decode(0) ?? 0
        }
    }
}

/// A parsed answer.
struct Reply: Sendable {
    let status: Int
    let headers: HTTPFields
    let text: String

    var json: JSONValue { (try? JSONValue(parsing: Data(text.utf8))) ?? .null }

    subscript(_ key: String) -> JSONValue? { json.objectValue?[key] }

    func string(_ key: String) -> String { self[key]?.stringValue ?? "" }

    var isProblem: Bool {
        headers[.contentType] == "application/problem+json" && self["status"] == .integer(status)
            && self["type"]?.stringValue != nil && self["title"]?.stringValue != nil
            && self["detail"]?.stringValue != nil
    }

    var problemType: String { string("type").replacingOccurrences(of: "https://touchstone.dev/problems/", with: "") }

    var errorFields: [String] {
        guard case .array(let errors)? = self["errors"] else { return [] }
        return errors.compactMap { $0.objectValue?["field"]?.stringValue }
    }
}

extension TestClientProtocol {
    /// Sends a request with `token` (a bearer token or nil) and a JSON `body`.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json body: String? = nil,
        headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { headers[HTTPFields.Element.Name(name)!] = value }
        return try await execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }
        ) { response in
            Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
        }
    }
}

/// JSON text of an object given as pairs.
func body(_ members: [String: JSONValue]) -> String {
    String(decoding: JSONValue.object(members).serialized(), as: UTF8.self)
}
