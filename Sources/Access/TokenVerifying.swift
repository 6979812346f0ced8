/// Resolves a bearer token to the identity it stands for.
public protocol TokenVerifying: Sendable {
    /// The identity of an active token, or `nil` for an unknown or revoked one.
    func identity(forBearer token: String) async throws -> TokenIdentity?
}
