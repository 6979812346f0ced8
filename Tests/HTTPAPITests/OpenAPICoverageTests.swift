import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import JSON
import Testing

@Suite("OpenAPI document")
struct OpenAPICoverageTests {
    /// The operations of openapi.yaml as `METHOD path` (each `paths:` key with the HTTP methods
    /// under it), read textually.
    static func documentedOperations() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/HTTPAPI/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
            } else if inPaths, let first = line.first, first != " ", first != "#" {
                inPaths = false
            } else if inPaths, line.hasPrefix("  /"), line.hasSuffix(":") {
                path = normalised(String(line.dropFirst(2).dropLast()))
            } else if inPaths, let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                methods.contains(String(line.dropFirst(4).dropLast()))
            {
                operations.insert("\(line.dropFirst(4).dropLast().uppercased()) \(path)")
            }
        }
        return operations
    }

    /// `{param}` and `:param` both become `{}`.
    static func normalised(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") || part.hasPrefix("{") ? "{}" : String(part)
        }.joined(separator: "/")
    }

    /// Every route the server registers is documented with its method, and every documented
    /// path and method is registered.
    @Test func theDocumentAndTheRoutesAgree() async throws {
        let fixture = try await APIFixture.make()
        let router = buildRouter(fixture.dependencies)
        let documented = try Self.documentedOperations()
        #expect(documented.count > 30)
        let registered = Set(router.routes.map { "\($0.method.rawValue) \(Self.normalised($0.path.description))" })
        let undocumented = registered.subtracting(documented)
        #expect(undocumented.isEmpty, "routes missing from openapi.yaml: \(undocumented.sorted())")
        let unregistered = documented.subtracting(registered)
        #expect(unregistered.isEmpty, "documented in openapi.yaml but not served: \(unregistered.sorted())")
    }

    @Test func theDocumentIsServed() async throws {
        let fixture = try await APIFixture.make()
        let reply = try await fixture.run { client in try await client.send(.get, "/openapi.yaml", token: nil) }
        #expect(reply.status == 200)
        #expect(reply.text.hasPrefix("openapi: 3.1"))
    }
}
