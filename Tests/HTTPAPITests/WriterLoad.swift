import Foundation
import Synchronization
import TestSupport
import Testing

/// Writers over HTTP for the tests of faults under load: each registers clients (every third
/// command, and first) and records touches on its own clients, every command under a new
/// `Idempotency-Key` and sent again with it until answered (``FaultInjectionTests/keyed``); what
/// they were told is kept here.
final class WriterLoad: Sendable {
    /// What the writers were told.
    struct Acknowledged: Sendable {
        var clients: [String] = []
        var touches: [String] = []
        /// Keys given up on at the end without an answer (their write may or may not be stored).
        var unanswered = 0
        /// When each acknowledgement (201) arrived.
        var acknowledgedAt: [ContinuousClock.Instant] = []
        /// Answers 503 on the way, and the bodies of those that came without `Retry-After`.
        var serviceUnavailable = 0
        var withoutRetryAfter: [String] = []
    }

    let state = Mutex(Acknowledged())
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Starts `count` writers on the server at `probe` with `token`, writing until `until` (and
    /// retrying what is unanswered then for a minute more).
    init(count: Int = 4, probe: HTTPProbe, token: String, until loadEnds: ContinuousClock.Instant) {
        let headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        let started = (0..<count).map { writer in
            Task { [self] in
                var mine: [String] = []
                var round = 0
                while ContinuousClock.now < loadEnds {
                    round += 1
                    let client = mine.isEmpty || round % 3 == 0 ? nil : mine[round % mine.count]
                    let answer = await FaultInjectionTests.keyed(
                        client.map { "/v1/clients/\($0)/touches" } ?? "/v1/clients",
                        client == nil
                            ? #"{"name": "Writer \#(writer) client \#(round)", "kind": "company"}"#
                            : #"{"channel": "call", "direction": "outbound", "occurredAt": "2026-02-0\#(1 + round % 9)T10:00:00Z"}"#,
                        probe: probe, headers: headers, until: loadEnds + .seconds(60)
                    ) { failed in
                        guard failed.status == 503 else { return }
                        self.state.withLock {
                            $0.serviceUnavailable += 1
                            if failed.headers["retry-after"] == nil { $0.withoutRetryAfter.append(failed.body) }
                        }
                    }
                    guard let answer else {
                        self.state.withLock { $0.unanswered += 1 }
                        continue
                    }
                    #expect(answer.status == 201, "\(answer.body)")
                    let now = ContinuousClock.now
                    let id = FaultInjectionTests.field(client == nil ? "clientId" : "touchId", in: answer.body)
                    if client == nil { mine.append(id) }
                    self.state.withLock {
                        if client == nil { $0.clients.append(id) } else { $0.touches.append(id) }
                        $0.acknowledgedAt.append(now)
                    }
                }
            }
        }
        tasks.withLock { $0 = started }
    }

    /// Waits until every writer is done and answers what they were told.
    func finish() async -> Acknowledged {
        for task in tasks.withLock({ $0 }) { await task.value }
        return state.withLock { $0 }
    }
}
