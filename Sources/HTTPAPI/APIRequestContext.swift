public import Access
public import Hummingbird

/// The request context of every Touchstone route: Hummingbird's core storage plus the identity
/// the bearer token resolved to (nil when the request carried no valid token).
public struct APIRequestContext: RequestContext {
    /// The largest request body accepted: 1 MiB (larger is 413).
    public static let maximumBodyBytes = 1024 * 1024

    public var coreContext: CoreRequestContextStorage
    /// Who is calling, as resolved by ``BearerAuthentication``.
    public var identity: TokenIdentity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
    }

    public var maxUploadSize: Int { Self.maximumBodyBytes }

    /// The caller's identity when its role grants `permission`.
    /// - Throws: a 401 problem without a valid token, a 403 problem for a role without it.
    public func require(_ permission: Permission) throws(Problem) -> TokenIdentity {
        guard let identity else { throw Problem.unauthorized }
        guard identity.role.may(permission) else { throw Problem.forbidden(identity.role) }
        return identity
    }
}
