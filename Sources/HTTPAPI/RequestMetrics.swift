import Hummingbird

/// Counts requests by route, method and status and records their durations (served at
/// `GET /metrics`). The route is the registered path pattern (`/v1/deals/{dealId}/stage`), never
/// the raw path, so the label set stays small.
struct RequestMetrics: RouterMiddleware {
    typealias Context = APIRequestContext

    /// Where the counters live.
    let metrics: ServiceMetrics

    func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.requestAnswered(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
            status: Int(response.status.code), duration: ContinuousClock.now - start)
        return response
    }
}
