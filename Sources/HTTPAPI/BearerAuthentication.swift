import Access
import Hummingbird

/// Resolves `Authorization: Bearer <token>` to the caller's identity and puts it in the
/// request context. It refuses nothing itself: routes that need a role call
/// `context.require(_:)` (401 without a valid token, 403 for a role that may not), so public
/// routes and unknown paths (404) answer the same with or without a token.
struct BearerAuthentication: RouterMiddleware {
    typealias Context = APIRequestContext

    /// Who checks tokens.
    let tokens: any TokenVerifying

    func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                context.identity = try await tokens.identity(forBearer: String(parts[1]).trimmingSpaces)
            }
        }
        return try await next(request, context)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
