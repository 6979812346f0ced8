import Access
import EventStore
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import JSON
import Logging
import Metrics
import PQ
import Projections
import Prometheus
import Sales
import Synchronization
import TestSupport
import Testing

/// The process-wide swift-metrics backend of this test process: one registry, bootstrapped once
/// (as `touchstone serve` does), which the tests below hand to the application as well.
let sharedMetricsRegistry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    return registry
}()

/// What an operator sees: every metric family, the request id in answers and log lines, no
/// secret or personal value in the logs, and a failed rebuild until a good one.
@Suite("Metrics, logs and visible failures")
struct ObservabilityTests {
    /// After a command, a replay, a rule refusal, a version conflict and a report, `/metrics`
    /// lists every family the operations guide names.
    @Test func metricsListEveryFamily() async throws {
        let registry = sharedMetricsRegistry
        let fixture = try await APIFixture.make().with(metrics: registry)
        let sales = fixture.tokens[.sales]!
        let scrape = try await fixture.run { client in
            let register = body(["name": .string("Metric Client"), "kind": .string("company")])
            let first = try await client.send(
                .post, "/v1/clients", token: sales, json: register, headers: [("Idempotency-Key", "metrics-1")])
            #expect(first.status == 201, "\(first.text)")
            let replay = try await client.send(
                .post, "/v1/clients", token: sales, json: register, headers: [("Idempotency-Key", "metrics-1")])
            #expect(replay.headers[.init("Idempotent-Replayed")!] == "true")
            let refused = try await client.send(
                .post, "/v1/deals/\(UUID().uuidString.lowercased())/stage", token: sales,
                json: body(["stage": .string("qualified"), "movedOn": .string("2026-01-10")]))
            #expect(refused.status == 404, "\(refused.text)")
            let stream = try StreamID(category: "client", id: first.string("clientId"))
            await #expect(throws: EventStoreError.self) {
                _ = try await fixture.dependencies.store.append(
                    to: stream, expected: .noStream,
                    events: [
                        NewEvent(
                            type: "ClientTouched", data: "{}", metadata: EventMetadata(actor: "test"),
                            occurredAt: "2026-01-10T00:00:00Z")
                    ])
            }
            return try await client.send(.get, "/metrics", token: nil)
        }
        #expect(scrape.status == 200)
        let families = [
            "touchstone_appends_total", "touchstone_appended_events_total", "touchstone_append_duration_seconds",
            "touchstone_version_conflicts_total", "touchstone_idempotent_replays_total",
            "touchstone_commands_rejected_total", "touchstone_projection_position", "touchstone_projection_lag_events",
            "touchstone_projection_lag_seconds", "touchstone_projection_rebuilding",
            "touchstone_projection_rebuild_events_done", "touchstone_projection_rebuild_events_target",
            "touchstone_projection_rebuild_failed", "touchstone_pool_connections", "touchstone_pool_connections_in_use",
            "touchstone_pool_waiting", "touchstone_pool_waits_total", "touchstone_pool_exhausted_total",
            "touchstone_http_requests_total", "touchstone_http_request_duration_seconds",
        ]
        for family in families {
            #expect(scrape.text.contains("# TYPE \(family) "), "no family \(family)")
        }
        #expect(scrape.text.contains(#"touchstone_commands_rejected_total{rule="deal-not-found"}"#))
        #expect(scrape.text.contains(#"touchstone_projection_lag_events{projection="aging"}"#))
        #expect(scrape.text.contains(#"route="/v1/clients""#))
    }

    /// The caller's `X-Request-Id` comes back, or a new one is made; every line logged while a
    /// request runs is JSON and carries its id; no line holds the bearer token or a personal value.
    @Test func requestIdsInAnswersAndLogsWithoutSecrets() async throws {
        let lines = Mutex<[String]>([])
        let logger = LogFormat.jsonLogger(label: "touchstone.test", level: .trace) { line in
            lines.withLock { $0.append(line) }
        }
        let fixture = try await APIFixture.make().with(logger: logger)
        let sales = fixture.tokens[.sales]!
        let personal = ["Zinaida Secretova", "zinaida@secret.example", "+7 999 123-45-67", "whispered summary"]
        let (given, made) = try await fixture.run { client in
            let given = try await client.send(
                .post, "/v1/clients", token: sales,
                json: body([
                    "name": .string(personal[0]), "kind": .string("person"), "email": .string(personal[1]),
                    "phone": .string(personal[2]),
                ]), headers: [("X-Request-Id", "req-given-42")])
            #expect(given.status == 201, "\(given.text)")
            _ = try await client.send(
                .post, "/v1/clients/\(given.string("clientId"))/touches", token: sales,
                json: body([
                    "channel": .string("call"), "direction": .string("inbound"),
                    "occurredAt": .string("2026-01-10T10:00:00Z"), "summary": .string(personal[3]),
                ]), headers: [("X-Request-Id", "req-touch-43")])
            let made = try await client.send(.get, "/v1/nowhere", token: sales)
            return (given, made)
        }
        #expect(given.headers[.init("X-Request-Id")!] == "req-given-42")
        #expect((made.headers[.init("X-Request-Id")!] ?? "").count == 36, "a new id is made")
        let logged = lines.withLock { $0 }
        #expect(!logged.isEmpty, "the requests logged something at trace level")
        for line in logged {
            let json = try JSONValue(parsing: Data(line.utf8))
            // The application's own services (rebuild jobs) start and stop outside any request.
            let message = json.objectValue?["message"]?.stringValue ?? ""
            if json.objectValue?.keys.contains(where: { $0.hasPrefix("sl-") }) == true
                || message.hasPrefix("Graceful shutdown") || message.hasPrefix("Service lifecycle")
            {
                continue
            }
            #expect(json.objectValue?["request.id"]?.stringValue != nil, "a line without request.id: \(line)")
            #expect(json.objectValue?["message"]?.stringValue != nil)
            #expect(!line.contains(sales), "the bearer token is logged: \(line)")
            for value in personal {
                #expect(!line.contains(value), "a personal value is logged: \(line)")
            }
        }
        #expect(logged.contains { $0.contains("req-given-42") })
    }

    /// The entry of read model `name` in a `GET /v1/projections` answer.
    static func entry(_ name: String, of reply: Reply) -> JSONValue? {
        guard case .array(let entries)? = reply["projections"] else { return nil }
        return entries.first { $0.objectValue?["name"] == .string(name) }
    }

    /// A rebuild refused for a checksum difference shows in `GET /v1/projections` as
    /// `lastRebuildError` with its time, and as `touchstone_projection_rebuild_failed` 1, until a
    /// good rebuild.
    @Test func aFailedRebuildStaysVisibleUntilAGoodOne() async throws {
        let fixture = try await APIFixture.make()
        let admin = fixture.tokens[.admin]!
        let (generation, failedAt) = try await fixture.database.pool.withConnection { connection in
            let live = try ProjectionRegistry.live(.aging, on: connection)
            try connection.execute(
                """
                UPDATE readmodels.projection_state SET last_rebuild_error = 'rebuilt generation differs',
                       last_rebuild_error_at = '2026-03-01T09:30:00Z' WHERE name = 'aging' AND state = 'live'
                """)
            return (live.generation, "2026-03-01T09:30:00.000000Z")
        }
        try await fixture.run { client in
            let projections = try await client.send(.get, "/v1/projections", token: admin)
            let aging = Self.entry("aging", of: projections)
            let error = aging?.objectValue?["lastRebuildError"]?.objectValue
            #expect(error?["message"] == .string("rebuilt generation differs"), "\(projections.text)")
            #expect(error?["at"] == .string(failedAt))
            let metrics = try await client.send(.get, "/metrics", token: nil)
            #expect(
                metrics.text.contains(#"touchstone_projection_rebuild_failed{projection="aging"} 1"#), "\(metrics.text)"
            )

            let rebuild = try await client.send(.post, "/v1/projections/aging/rebuild", token: admin)
            #expect(rebuild.status == 202)
            #expect(try await ReportRouteTests.swapsIn(.aging, after: generation, fixture))
            let after = try await client.send(.get, "/v1/projections", token: admin)
            let cleared = Self.entry("aging", of: after)
            #expect(cleared?.objectValue?["lastRebuildError"] == .null, "\(after.text)")
            let again = try await client.send(.get, "/metrics", token: nil)
            #expect(again.text.contains(#"touchstone_projection_rebuild_failed{projection="aging"} 0"#))
        }
    }
}
