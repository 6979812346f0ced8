import Logging
import PQ
import Projections
public import Prometheus
import Synchronization

/// Every Prometheus family the HTTP service writes itself, each named and described once
/// (Prometheus naming: `touchstone_` prefix, base units, `_total` on counters). The event store's
/// families (`touchstone_appends_total`, `touchstone_appended_events_total`,
/// `touchstone_append_duration_seconds`, `touchstone_version_conflicts_total`) come through
/// swift-metrics into the same registry when the process bootstraps it.
///
/// Requests, replays and refusals are counted as they happen; the pool's and the read models'
/// figures are read when `/metrics` is scraped (``observe(pool:)``, ``observe(_:)``).
public final class ServiceMetrics: Sendable {
    /// The registry `GET /metrics` serves.
    public let registry: PrometheusCollectorRegistry
    private let exhaustedSeen = Mutex(0)
    private let waitsSeen = Mutex(0)

    /// Metrics in `registry`; the families without labels are made at once, so a scrape lists
    /// them before anything happened.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        _ = idempotentReplays
        _ = poolExhausted
        _ = poolWaits
    }

    /// Counts an HTTP request answered and its duration, by route pattern, method and status.
    func requestAnswered(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: "touchstone_http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "touchstone_http_request_duration", unitName: "seconds",
                helpText: "Time to answer an HTTP request"),
            labels: [("route", route), ("method", method)],
            buckets: Self.requestBuckets
        ).record(duration)
    }

    /// Counts a command answered from its `Idempotency-Key` record instead of being executed.
    func idempotentReplay() {
        idempotentReplays.increment()
    }

    /// Counts a command refused by a rule of the domain, by the rule's code.
    func commandRejected(rule: String) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: "touchstone_commands_rejected", unitName: "total",
                helpText: "Commands refused by a rule of the domain, by rule code"),
            labels: [("rule", rule)]
        ).increment()
    }

    /// Sets the pool's figures: connections, connections in use, callers waiting, and the waits
    /// and refusals since the last scrape.
    func observe(pool: ConnectionPool) {
        let usage = pool.usage
        gauge("touchstone_pool_connections", "Connections of the request pool").set(Int64(pool.size))
        gauge("touchstone_pool_connections_in_use", "Connections of the request pool leased now").set(
            Int64(usage.inUse))
        gauge("touchstone_pool_waiting", "Requests waiting for a database connection now").set(Int64(usage.waiting))
        poolWaits.increment(
            by: Double(
                waitsSeen.withLock { seen in
                    defer { seen = usage.waits }
                    return max(0, usage.waits - seen)
                }))
        poolExhausted.increment(
            by: Double(
                exhaustedSeen.withLock { seen in
                    defer { seen = usage.exhausted }
                    return max(0, usage.exhausted - seen)
                }))
    }

    /// Sets each read model's position, lag, rebuild progress and failure from `statuses`.
    func observe(_ statuses: [ProjectionStatus]) {
        for status in statuses where status.servedBy == nil {
            let labels = [("projection", status.name)]
            gauge("touchstone_projection_position", "Last log position applied to the live read model", labels)
                .set(status.position)
            gauge("touchstone_projection_lag_events", "Committed events not yet applied to the read model", labels)
                .set(status.lagEvents)
            gauge(
                "touchstone_projection_lag_seconds", "Age of the oldest committed event not yet applied", labels
            ).set(status.lagSeconds)
            gauge("touchstone_projection_rebuilding", "1 while a rebuild of the read model runs", labels)
                .set(Int64(status.rebuild == nil ? 0 : 1))
            gauge(
                "touchstone_projection_rebuild_events_done", "Log positions a running rebuild has applied", labels
            ).set(status.rebuild?.eventsDone ?? Int64(0))
            gauge(
                "touchstone_projection_rebuild_events_target", "Log position a running rebuild is catching up with",
                labels
            ).set(status.rebuild?.eventsTotal ?? Int64(0))
            gauge(
                "touchstone_projection_rebuild_failed",
                "1 when the last rebuild of the read model failed, until a rebuild succeeds", labels
            ).set(Int64(status.lastRebuildError == nil ? 0 : 1))
        }
    }

    private var idempotentReplays: Counter {
        registry.makeCounter(
            name: "touchstone_idempotent_replays_total",
            help: "Commands answered from their Idempotency-Key record without executing again")
    }

    private var poolWaits: Counter {
        registry.makeCounter(
            name: "touchstone_pool_waits_total", help: "Leases of a request connection that had to wait")
    }

    private var poolExhausted: Counter {
        registry.makeCounter(
            name: "touchstone_pool_exhausted_total",
            help: "Requests refused for want of a database connection (lease timeout or full queue)")
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        labels.isEmpty
            ? registry.makeGauge(name: name, help: help) : registry.makeGauge(name: name, labels: labels, help: help)
    }

    static let requestBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]
}
