import Hummingbird
import Prometheus

/// Counts requests by route, method and status and records their durations in a Prometheus
/// registry (served at `GET /metrics`). The route is the registered path pattern
/// (`/v1/deals/{dealId}/stage`), never the raw path, so the label set stays small.
struct RequestMetrics: RouterMiddleware {
    typealias Context = APIRequestContext

    /// Where the counters live.
    let registry: PrometheusCollectorRegistry

    func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: "touchstone_http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: [("route", route), ("method", method), ("status", String(response.status.code))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "touchstone_http_request_duration", unitName: "seconds",
                helpText: "Time to answer an HTTP request"),
            labels: [("route", route), ("method", method)],
            buckets: Self.buckets
        ).record(ContinuousClock.now - start)
        return response
    }

    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]
}
