import EventStore
import Foundation
import HexText
import PQ
import Sales

/// The states of the streams an import decides on, kept in memory so that a command is decided
/// without reading its streams again: a stream is read from the store the first time it is
/// needed, then folded forward with its decider's `evolve` as the import accepts events for it.
///
/// It trusts that nobody else writes those streams meanwhile; when an append proves otherwise
/// (a version conflict), the import drops the cache with ``discardAll()`` and decides again
/// through the store.
final class ImportedStreams: DecisionInputs {
    /// One stream's state as of its last accepted event, with the fold that moves it on.
    private struct Entry {
        var state: Any
        var version: Int64
        let fold: (Any, [SalesEvent]) -> Any
    }

    private let recorder: CommandRecorder
    private var entries: [StreamName: Entry] = [:]
    /// Streams known not to exist in the store: their first read is skipped.
    private var absent: Set<StreamName> = []
    /// Receivables streams of invoices known to be stored, by canonical invoice id.
    private var invoiceStreams: [String: StreamName] = [:]
    /// Receivables streams of invoices issued by accepted events not appended yet.
    private var pendingInvoiceStreams: [String: StreamName] = [:]

    init(recorder: CommandRecorder) {
        self.recorder = recorder
    }

    func load<State>(
        _ stream: StreamName, from initial: State, _ evolve: @escaping (State, SalesEvent) -> State
    ) async throws -> (state: State, version: Int64) {
        if let entry = entries[stream], let state = entry.state as? State {
            return (state, entry.version)
        }
        let loaded: (state: State, version: Int64) =
            absent.remove(stream) != nil ? (initial, 0) : try await recorder.load(stream, from: initial, evolve)
        entries[stream] = Entry(state: loaded.state, version: loaded.version) { state, events in
            guard let state = state as? State else { return state }
            return events.reduce(state, evolve)
        }
        return loaded
    }

    func receivablesStream(ofInvoice invoiceId: UUID) async throws -> StreamName? {
        let key = invoiceId.canonical
        if let stream = pendingInvoiceStreams[key] ?? invoiceStreams[key] { return stream }
        let stream = try await recorder.receivablesStream(ofInvoice: invoiceId)
        invoiceStreams[key] = stream
        return stream
    }

    /// Asks the store in one query which of `streams` exist, so that the first read of the others
    /// is skipped (a writer creating one meanwhile makes the append conflict, as any other write).
    func prefetch(_ streams: Set<StreamName>) async throws {
        let unknown = try streams.filter { entries[$0] == nil }.map { try StreamID($0.description) }
        guard !unknown.isEmpty else { return }
        let stored = Set(try await recorder.store.existing(unknown).map(\.description))
        absent.formUnion(streams.filter { entries[$0] == nil && !stored.contains($0.description) })
    }

    /// Folds an accepted decision's events into its stream's state. False when the stream was not
    /// read through this cache (then its state is unknown here and the events must be appended
    /// before it is read again).
    func accept(_ decision: Decision) -> Bool {
        for claim in decision.claims where claim.scope == Decision.invoiceScope {
            pendingInvoiceStreams[claim.key] = decision.stream
        }
        guard var entry = entries[decision.stream] else { return false }
        entry.state = entry.fold(entry.state, decision.events)
        entry.version += Int64(decision.events.count)
        entries[decision.stream] = entry
        return true
    }

    /// The accepted events were appended: their invoices are now stored.
    func commit() {
        invoiceStreams.merge(pendingInvoiceStreams) { _, pending in pending }
        pendingInvoiceStreams = [:]
    }

    /// Stores a snapshot of each stream it keeps that is at least
    /// ``DeciderStateCache/snapshotInterval`` versions long (every accepted event appended), so
    /// that the first command on a stream the import made long does not fold it from its first
    /// event. The states were folded from the events before they were sealed; a snapshot leaves
    /// every personal value out.
    func storeSnapshots() async throws {
        let interval = recorder.states.snapshotInterval
        guard interval > 0 else { return }
        for (stream, entry) in entries where entry.version >= interval {
            guard let state = entry.state as? any DeciderState else { continue }
            let id = try StreamID(stream.description)
            let version = entry.version
            try await recorder.store.pool.withConnection { connection in
                try StreamSnapshots.write(state, version: version, of: id, on: connection)
            }
        }
    }

    /// Forgets everything, so every stream is read from the store again.
    func discardAll() {
        entries = [:]
        absent = []
        invoiceStreams = [:]
        pendingInvoiceStreams = [:]
    }
}
