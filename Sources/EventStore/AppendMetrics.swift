import Metrics

/// What an ``EventStore`` reports through swift-metrics about its appends: how many committed and
/// how many events they held, how long each took, and how many failed on a version conflict. The
/// process decides the backend (`touchstone serve` bootstraps Prometheus); without one they cost
/// nothing. Made when the store is made, so a backend bootstrapped before that receives them.
struct AppendMetrics: Sendable {
    /// `touchstone_appends_total`: appends committed (a replayed append counts too).
    let appends = Counter(label: "touchstone_appends_total")
    /// `touchstone_appended_events_total`: events in those appends.
    let events = Counter(label: "touchstone_appended_events_total")
    /// `touchstone_append_duration_seconds`: the time an append took, queueing for a group included.
    let duration = Metrics.Timer(label: "touchstone_append_duration_seconds")
    /// `touchstone_version_conflicts_total`: appends refused because their stream had moved on.
    let conflicts = Counter(label: "touchstone_version_conflicts_total")

    /// Records one append of `count` events that began at `start` and committed, or failed with `error`.
    func record(count: Int, since start: ContinuousClock.Instant, error: (any Error)?) {
        guard let error else {
            appends.increment()
            events.increment(by: count)
            duration.recordInterval(since: start)
            return
        }
        if case EventStoreError.versionConflict = error { conflicts.increment() }
    }
}

extension Metrics.Timer {
    /// Records the time from `start` until now.
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
