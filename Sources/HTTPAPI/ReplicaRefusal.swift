import Hummingbird

/// Refuses, on a server in ``ServingMode/replica`` mode, every request of a route that would write
/// (any method but `GET` and `HEAD`) with 503 `read-only-replica` before its handler runs, so
/// nothing is tried on the standby. Requests for unknown paths go on to their 404 or 405.
struct ReplicaRefusal: RouterMiddleware {
    typealias Context = APIRequestContext

    /// The server's mode; a primary lets everything through.
    let mode: ServingMode

    func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        guard mode == .replica, context.endpointPath != nil, request.method != .get, request.method != .head else {
            return try await next(request, context)
        }
        throw Problem.readOnlyReplica
    }
}
