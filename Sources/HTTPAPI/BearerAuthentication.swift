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
        if let header = request.headers[.authorization], let token = Self.bearerToken(in: header) {
            context.identity = try await tokens.identity(forBearer: token)
        }
        return try await next(request, context)
    }
}

extension BearerAuthentication {
    /// The token of an `Authorization` value `Bearer <token>` (the scheme in any case, spaces
    /// around either part ignored); nil for another scheme or without a token. Read on the UTF-8
    /// bytes: this runs on every request, and splitting and trimming by `Character` cost about 1%
    /// of the server's CPU under load.
    static func bearerToken(in header: String) -> String? {
        let space = UInt8(ascii: " ")
        let value = header.utf8.drop { $0 == space }
        let scheme = "bearer".utf8
        guard value.starts(with: scheme, by: { $0 | 0x20 == $1 }) else { return nil }
        let afterScheme = value.dropFirst(scheme.count)
        guard afterScheme.first == space, let first = afterScheme.firstIndex(where: { $0 != space }),
            let last = afterScheme.lastIndex(where: { $0 != space })
        else { return nil }
        return String(decoding: header.utf8[first...last], as: UTF8.self)
    }
}
