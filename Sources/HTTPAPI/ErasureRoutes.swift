import Access
import Hummingbird
import Recording
import Sales

/// `DELETE /v1/clients/{clientId}/personal-data` (admin): erases a client's personal data.
/// Answers 200 `{"clientId", "erasedAt", "events"}`; a second call answers the same and changes
/// nothing; an unknown client is 404.
struct ErasureRoutes: Sendable {
    /// The erasure.
    let erasure: ClientErasure

    /// Registers the route on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.delete("/v1/clients/{clientId}/personal-data") { [erasure] _, context -> Response in
            let identity = try context.require(.administer)
            let clientId = try context.pathID("clientId")
            do {
                return try await erasure.erase(clientId, actor: identity.subject).json.response()
            } catch let violation as SalesRuleViolation {
                throw Problem.rule(violation)
            }
        }
    }
}
