import EventStore
import Foundation
import JSON
import PQ
import Sales

/// What one attempt at a command read, and how: the ``DecisionInputs`` a ``CommandRecorder``
/// decides through.
///
/// When `trusting`, a stream whose decider state this process keeps is served from
/// ``DeciderStateCache`` without a query. That is safe for the stream the decision appends to:
/// the append's expected version refuses a decision made on a state another writer has moved
/// past (the recorder then drops the entry and decides again, reading). Any other stream served
/// that way is checked after the decision (``streamsMoved()``, one query for all of them) and the
/// decision is made again, reading, when one moved; so is every such stream when the decision is a
/// refusal (no append would catch a stale state there). After a successful append, the appended
/// stream's kept state is moved on by the new events (as stored, sealed), so the next command on
/// it reads nothing.
final class DecisionReading: DecisionInputs {
    private let recorder: CommandRecorder
    private let trusting: Bool
    /// The command's turn on the first stream it loads (``StreamTurns``), when `trusting`.
    private let turn: StreamTurn?
    /// Streams whose kept state is known to be behind: read up to date even when `trusting`.
    private let reading: Set<String>
    /// The streams served from the cache without a query, and the versions they were served at.
    private var unread: [String: Int64] = [:]
    /// How to move on each loaded stream's kept state, and the version it was loaded at.
    private var advances: [String: (version: Int64, advance: ([SalesEvent], Int64) -> Void)] = [:]

    init(recorder: CommandRecorder, trusting: Bool, reading: Set<String> = [], turn: StreamTurn? = nil) {
        self.recorder = recorder
        self.trusting = trusting
        self.turn = turn
        self.reading = reading
    }

    func load<State>(
        _ stream: StreamName, from initial: State, _ evolve: @escaping (State, SalesEvent) -> State
    ) async throws -> (state: State, version: Int64) {
        let loaded: (state: State, version: Int64)
        await turn?.take(stream.description)
        if trusting, !reading.contains(stream.description), let kept = recorder.keptState(stream, as: State.self) {
            loaded = kept
            unread[stream.description] = kept.version
        } else {
            loaded = try await recorder.load(stream, from: initial, evolve)
        }
        advances[stream.description] = (
            loaded.version,
            { [recorder] events, version in
                recorder.keep(events.reduce(loaded.state, evolve), version: version, of: stream)
            }
        )
        return loaded
    }

    func receivablesStream(ofInvoice invoiceId: UUID) async throws -> StreamName? {
        try await recorder.receivablesStream(ofInvoice: invoiceId)
    }

    /// Whether a stream served from the cache, other than `appended` (every one when nil), has
    /// moved since (one query); the states kept of those that moved are dropped.
    func streamsMoved(except appended: StreamName?) async throws -> Bool {
        let others = unread.filter { $0.key != appended?.description }
        guard !others.isEmpty else { return false }
        let current: [String: Int64] = try await recorder.store.pool.withConnection { connection in
            var versions: [String: Int64] = [:]
            for row in try connection.query(
                """
                SELECT stream_id, version FROM streams
                 WHERE stream_id = ANY(\(PQBinaryArray.text(Array(others.keys)))::text[])
                """, prepared: true
            ).rows {
                versions[try row.decode(0)] = try row.decode(1)
            }
            return versions
        }
        let moved = others.filter { current[$0.key] ?? 0 != $0.value }.keys
        moved.forEach(recorder.states.forget)
        return !moved.isEmpty
    }

    /// Moves the kept state of `stream` on by `appended` (each event's type, schema version and
    /// payload as stored, sealed), which took it from `expected` to `version`; drops it when they
    /// cannot be read back or do not follow it.
    func appended(
        _ appended: [(type: String, schemaVersion: Int, payload: JSONValue)], to stream: StreamName, expected: Int64,
        version: Int64
    ) {
        guard let loaded = advances[stream.description], loaded.version == expected,
            version == expected + Int64(appended.count)
        else {
            recorder.states.forget(stream.description)
            return
        }
        var events: [SalesEvent] = []
        for event in appended {
            guard
                let decoded = try? SalesEvent.decode(
                    type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
            else {
                recorder.states.forget(stream.description)
                return
            }
            events.append(decoded)
        }
        loaded.advance(events, version)
    }
}
