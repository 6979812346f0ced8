import Foundation
import HTTPAPI
import Testing

@Suite("OpenAPI document")
struct OpenAPICoverageTests {
    /// The `paths:` keys of openapi.yaml, read textually.
    static func documentedPaths() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/HTTPAPI/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        var paths = Set<String>()
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
            } else if inPaths, let first = line.first, first != " ", first != "#" {
                inPaths = false
            } else if inPaths, line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                paths.insert(normalised(String(line.dropFirst(2).dropLast())))
            }
        }
        return paths
    }

    /// `{param}` and `:param` both become `{}`.
    static func normalised(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") || part.hasPrefix("{") ? "{}" : String(part)
        }.joined(separator: "/")
    }

    @Test func everyRegisteredRouteIsDocumented() async throws {
        let fixture = try await APIFixture.make()
        let router = buildRouter(fixture.dependencies)
        let documented = try Self.documentedPaths()
        #expect(documented.count > 20)
        let registered = Set(router.routes.map { Self.normalised($0.path.description) })
        let missing = registered.subtracting(documented)
        #expect(missing.isEmpty, "routes missing from openapi.yaml: \(missing.sorted())")
    }

    @Test func theDocumentIsServed() async throws {
        let fixture = try await APIFixture.make()
        let reply = try await fixture.run { client in try await client.send(.get, "/openapi.yaml", token: nil) }
        #expect(reply.status == 200)
        #expect(reply.text.hasPrefix("openapi: 3.1"))
    }
}
