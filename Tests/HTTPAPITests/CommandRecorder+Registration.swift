import Foundation
import HexText
import JSON
import Recording
import Sales

extension CommandRecorder {
    /// Registers client `id` named `name` through the catalogue's `register-client`, as `cli:test`.
    func registerClient(_ id: UUID, name: String, kind: String = "company") async throws {
        let entry = CommandEntry.of(.registerClient)
        _ = try await record(
            try entry.parse(
                .object(["clientId": .string(id.canonical), "name": .string(name), "kind": .string(kind)]),
                ids: entry.bindIDs { _ in id }, recordedAt: Instant(Date())),
            actor: "cli:test")
    }
}
