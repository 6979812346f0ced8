import Access
import Foundation
import Hummingbird
import Recording
import Sales

/// The `POST` routes of the contract's commands, one per entry of the command catalogue
/// (``CommandEntry``): each checks the role, reads and validates the
/// body, records the command through ``CommandRecorder`` under the request's `Idempotency-Key`,
/// and answers 201 with the entity id under its own name and `streamVersion`.
struct CommandRoutes: Sendable {
    /// The path from a validated command to appended events.
    let recorder: CommandRecorder
    /// The `Idempotency-Key` rules.
    let idempotency: IdempotencyGuard

    /// Registers the route of every entry of the command catalogue on `router`.
    func register(on router: Router<APIRequestContext>) {
        for entry in CommandEntry.all {
            guard let method = HTTPRequest.Method(entry.method) else {
                preconditionFailure("the catalogue entry \(entry.name) has no HTTP method")
            }
            router.on(RouterPath(entry.path), method: method) {
                [recorder, idempotency] request, context -> Response in
                let identity = try context.require(entry.permission)
                let body = try await CommandBody(request: request, context: context)
                return try await idempotency.run(request: request, identity: identity, body: body.json) { receipt in
                    let ids = try entry.bindIDs { name throws(Problem) in try context.pathID(name) }
                    let command = try entry.parse(body.json, ids: ids, recordedAt: Instant(Date()))
                    return try await recorder.answer(recording: command, actor: identity.subject, receipt: receipt)
                }
            }
        }
    }
}

extension APIRequestContext {
    /// The UUID in the path parameter `name` (404 when it is not a UUID: nothing has that id).
    func pathID(_ name: String) throws(Problem) -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else {
            throw Problem(
                status: 404, code: "not-found", title: "Not Found", detail: "'\(name)' in the path is not a known id")
        }
        return id
    }
}
