public import Access
public import EventStore
public import Foundation
import JSON
public import Logging
import PQ
import Sales

/// The one path from a validated command to appended events, shared by the HTTP API and
/// `touchstone import`.
///
/// It loads the streams the decider needs (their states kept in ``states``, or folded from the
/// latest snapshot, and the events after either replayed with `evolve`), decides, seals the
/// personal fields of the new events with their client's data key (``PersonalDataKeys``), and
/// appends to the guarding stream at exactly the version it read. Deciders never read personal
/// values, so streams are folded without opening them. When another writer got there first
/// (`versionConflict`), it reloads and decides again, a bounded number of times, so a decision is
/// always made against the state it is appended after (two payments never allocate one balance).
public struct CommandRecorder: Sendable {
    /// How many times a decision is retried after a version conflict.
    public static let maximumAttempts = 10

    /// The store events are read from and appended to.
    public let store: EventStore
    /// The clients' data keys that seal personal fields before they are appended.
    public let personalData: PersonalDataKeys
    /// The deciders' states kept between commands (one cache per process, shared by its recorders).
    public let states: DeciderStateCache
    /// The turns this recorder's commands take on the streams they decide on.
    let turns = StreamTurns()
    let logger: Logger

    /// A recorder on `store`, sealing personal fields with `personalData`'s keys and keeping the
    /// deciders' states in `states`.
    public init(
        store: EventStore, personalData: PersonalDataKeys, states: DeciderStateCache = DeciderStateCache(),
        logger: Logger
    ) {
        self.store = store
        self.personalData = personalData
        self.states = states
        self.logger = logger
    }

    /// Records `command` on behalf of `actor` (a token subject or `cli:<user>`).
    /// - Throws: `SalesRuleViolation` for a rule of the domain (nothing appended),
    ///   ``RecordingError``, or the store's errors.
    public func record(
        _ command: SalesCommand, actor: String, correlationID: UUID? = nil
    ) async throws
        -> RecordedCommand
    {
        try await record(command, actor: actor, correlationID: correlationID, receiptKey: nil)
    }

    /// Records `command` at most once under the receipt key `key` (a digest of the request): the
    /// answer is stored with the events (``AppendReceipt``), so a request retried after its
    /// connection was lost mid-commit gets the first answer back (`replayed`) instead of being
    /// recorded twice. Without a key, it records as ``record(_:actor:correlationID:)``.
    public func answer(
        recording command: SalesCommand, actor: String, receipt key: String?
    ) async throws
        -> RecordingAnswer
    {
        guard let key else { return RecordingAnswer(document: try await record(command, actor: actor).answer) }
        if let stored = try await storedAnswer(forKey: key) { return stored }
        do {
            return RecordingAnswer(document: try await record(command, actor: actor, receiptKey: key).answer)
        } catch EventStoreError.receiptStored {
            // The first attempt committed after the look above, and this decision was not stored.
            guard let stored = try await storedAnswer(forKey: key) else { throw RecordingError.receiptLost(key: key) }
            return stored
        } catch let violation as SalesRuleViolation {
            // A refusal because the first attempt's events are there now (a duplicate id): its
            // answer is the answer.
            if let stored = try await storedAnswer(forKey: key) { return stored }
            throw violation
        }
    }

    /// The answer stored under receipt key `key`, as a replay.
    private func storedAnswer(forKey key: String) async throws -> RecordingAnswer? {
        guard let text = try await store.receipt(forKey: key) else { return nil }
        return RecordingAnswer(document: try JSONValue(parsing: Data(text.utf8)), replayed: true)
    }

    private func record(
        _ command: SalesCommand, actor: String, correlationID: UUID? = nil, receiptKey: String?
    )
        async throws -> RecordedCommand
    {
        let metadata = EventMetadata(actor: actor, correlationID: correlationID)
        var attempt = 0
        // Streams whose append conflicted: their kept states are behind, so the next attempt reads
        // the events after them before deciding again.
        var behind = Set<String>()
        let turn = StreamTurn(turns)
        defer { turn.end() }
        while true {
            attempt += 1
            guard attempt <= Self.maximumAttempts else {
                throw RecordingError.contention(stream: "(streams read by the command)", attempts: attempt - 1)
            }
            let reading = DecisionReading(recorder: self, trusting: true, reading: behind, turn: turn)
            let decision: Decision
            do {
                decision = try await decide(command, reading: reading)
            } catch let violation as SalesRuleViolation {
                // A refusal made on a kept state is checked: no append would catch a stale one.
                if try await reading.streamsMoved(except: nil) { continue }
                throw violation
            }
            if try await reading.streamsMoved(except: decision.stream) { continue }
            // Each event's payload is made once, to tell what to seal, to seal it, and to move the
            // kept state on.
            let payloads = decision.events.map(\.json)
            let keys = try await sealingKeys(forEvents: zip(decision.events, payloads))
            do {
                let stream = try StreamID(decision.stream.description)
                let sealed = zip(decision.events, payloads).map { Self.sealed($1, of: $0, keys: keys) }
                let events = zip(decision.events, sealed).map { Self.newEvent($0, sealed: $1, metadata: metadata) }
                // The append is at an exact version, so the answer is known before it is stored.
                var outcome = decision.outcome
                outcome.streamVersion = decision.expectedVersion + Int64(events.count)
                let receipt = receiptKey.map {
                    AppendReceipt(key: $0, answer: String(decoding: outcome.answer.serialized(), as: UTF8.self))
                }
                let result = try await store.append(
                    to: stream, expected: ExpectedVersion(version: decision.expectedVersion), events: events,
                    clientID: decision.events.first?.clientId, claims: decision.claims, receipt: receipt, newIDs: true,
                    sealingKeyIDs: keys.values.map(\.id))
                reading.appended(
                    zip(decision.events, sealed).map { ($0.type, $0.schemaVersion, $1) }, to: decision.stream,
                    expected: decision.expectedVersion, version: result.streamVersion)
                outcome.streamVersion = result.streamVersion
                return outcome
            } catch EventStoreError.versionConflict(let stream, _, _) {
                // Whatever this process kept of the stream is behind: the next attempt reads what
                // it missed (the kept state is right at its own version) before deciding again.
                // The append also refuses a data key an erasure deleted: the next attempt reads
                // the client's key (a new one) from the table.
                behind.insert(decision.stream.description)
                personalData.forgetSealingKeys(of: keys.keys)
                guard attempt < Self.maximumAttempts else {
                    throw RecordingError.contention(stream: stream, attempts: attempt)
                }
                logger.debug("version conflict, deciding again", metadata: ["event.stream": "\(stream)"])
            } catch EventStoreError.claimTaken(let scope, let key) {
                throw Self.violation(forClaim: scope, key: key)
            }
        }
    }

    /// `event` as it is appended: its personal fields sealed with its client's key from `keys`
    /// (which holds one for every event that carries personal data, see ``clientsToSeal(_:)``).
    static func newEvent(_ event: SalesEvent, metadata: EventMetadata, keys: [UUID: DataKey]) -> NewEvent {
        newEvent(event, sealed: sealed(event.json, of: event, keys: keys), metadata: metadata)
    }

    /// `event` as it is appended, with `sealed`, its payload as ``sealed(_:of:keys:)`` made it.
    static func newEvent(_ event: SalesEvent, sealed: JSONValue, metadata: EventMetadata) -> NewEvent {
        NewEvent(
            type: event.type, schemaVersion: event.schemaVersion,
            data: String(decoding: sealed.serialized(), as: UTF8.self),
            metadata: metadata, occurredAt: event.occurredAt.description)
    }

    /// `payload`, the JSON of `event`, with its personal fields sealed with its client's key from
    /// `keys` (unchanged when `keys` holds none for the client).
    static func sealed(_ payload: JSONValue, of event: SalesEvent, keys: [UUID: DataKey]) -> JSONValue {
        guard let client = event.clientId, let key = keys[client] else { return payload }
        return key.seal(payload, personalFields: type(of: event.payload).personalFields)
    }

    /// The clients of `events` that carry a personal value, whose keys sealing needs.
    static func clientsToSeal(_ events: some Sequence<SalesEvent>) -> Set<UUID> {
        clientsToSeal(events.lazy.map { ($0, $0.json) })
    }

    /// The clients of `events` (each with its payload's JSON) that carry a personal value.
    static func clientsToSeal(_ events: some Sequence<(SalesEvent, JSONValue)>) -> Set<UUID> {
        var clients = Set<UUID>()
        for (event, payload) in events where event.carriesPersonalData(in: payload) {
            if let client = event.clientId { clients.insert(client) }
        }
        return clients
    }

    /// The data keys that sealing `events` (each with its payload's JSON) needs (none, without a
    /// query, when no event carries a personal value), made for clients that have none yet. Keys
    /// this process used before are taken from memory: the append checks that they are still
    /// there (``EventStore/append(to:expected:events:clientID:claims:receipt:newIDs:sealingKeyIDs:)``).
    func sealingKeys(forEvents events: some Sequence<(SalesEvent, JSONValue)>) async throws -> [UUID: DataKey] {
        let clients = Self.clientsToSeal(events)
        if let kept = personalData.keptSealingKeys(for: clients) { return kept }
        return try await sealingKeys(forClients: clients)
    }

    /// The data keys of `clients` (made for those that have none when `creating`), in one query.
    func sealingKeys(forClients clients: Set<UUID>, creating: Bool = true) async throws -> [UUID: DataKey] {
        guard !clients.isEmpty else { return [:] }
        return try await store.pool.withConnection { [personalData] connection in
            creating
                ? try personalData.sealingKeys(for: clients, on: connection)
                : try personalData.keys(ofClients: clients, on: connection)
        }
    }

    static func violation(forClaim scope: String, key: String) -> SalesRuleViolation {
        switch scope {
        case Decision.invoiceNumberScope:
            SalesRuleViolation(.duplicateInvoiceNumber, "invoice number '\(key)' is already used", field: "number")
        case Decision.touchScope:
            SalesRuleViolation(.duplicateTouch, "touch \(key) is already recorded", field: "touchId")
        default:
            SalesRuleViolation(.duplicateInvoice, "invoice \(key) already exists", field: "invoiceId")
        }
    }

    /// The state of `stream` folded from `initial` with `evolve`, and the stream's version. A
    /// decider's state (``DeciderState``) starts from the state kept in ``states`` or from the
    /// stream's snapshot, and only the events after it are read.
    func load<State>(
        _ stream: StreamName, from initial: State, _ evolve: @escaping (State, SalesEvent) -> State
    ) async throws -> (state: State, version: Int64) {
        let id = try StreamID(stream.description)
        guard let kind = State.self as? any DeciderState.Type else {
            return try fold(try await store.readStream(id), of: stream, from: initial, evolve)
        }
        return try await loadKept(kind, id, of: stream, from: initial, evolve)
    }

    private func loadKept<Kept: DeciderState, State>(
        _ kind: Kept.Type, _ id: StreamID, of stream: StreamName, from initial: State,
        _ evolve: @escaping (State, SalesEvent) -> State
    ) async throws -> (state: State, version: Int64) {
        let cached = states.kept(stream.description, as: Kept.self)
        let readSnapshot = cached == nil && states.snapshotInterval > 0
        let (snapshot, events) = try await store.pool.withConnection { connection in
            let snapshot = readSnapshot ? try StreamSnapshots.read(id, as: Kept.self, on: connection) : nil
            let after = snapshot?.version ?? cached?.version ?? 0
            return (snapshot, try EventStore.readStream(id, from: after + 1, on: connection))
        }
        var base = cached.map { ($0.state, $0.version) }
        var snapshotVersion = cached?.snapshotVersion ?? 0
        var tail = events
        if let snapshot {
            do {
                base = (try Kept(snapshot: try JSONValue(parsing: Data(snapshot.text.utf8))), snapshot.version)
                snapshotVersion = snapshot.version
            } catch {
                logger.warning(
                    "ignoring a snapshot that does not decode; the stream is folded again",
                    metadata: ["event.stream": "\(stream)", "snapshot.decider": "\(Kept.decider)", "error": "\(error)"])
                try await store.pool.withConnection { try StreamSnapshots.delete(id, as: Kept.self, on: $0) }
                tail = try await store.readStream(id)
            }
        }
        let start = base.flatMap { $0.0 as? State } ?? initial
        let folded = try fold(tail, of: stream, from: start, evolve, startingAt: base?.1 ?? 0)
        if let kept = folded.state as? Kept {
            keep(kept, version: folded.version, snapshotVersion: snapshotVersion, of: stream)
        }
        return folded
    }

    /// The state this process keeps of `stream`, and its version, when `State` is a decider's
    /// state (``DeciderState``) and one is kept; no query.
    func keptState<State>(_ stream: StreamName, as type: State.Type) -> (state: State, version: Int64)? {
        guard let kind = State.self as? any DeciderState.Type else { return nil }
        return keptState(kind, stream, as: type)
    }

    private func keptState<Kept: DeciderState, State>(
        _ kind: Kept.Type, _ stream: StreamName, as type: State.Type
    )
        -> (state: State, version: Int64)?
    {
        guard let kept = states.kept(stream.description, as: Kept.self), let state = kept.state as? State else {
            return nil
        }
        return (state, kept.version)
    }

    /// Keeps `state` of `stream` at `version` when it is a decider's state (and stores a snapshot
    /// when one is due).
    func keep<State>(_ state: State, version: Int64, of stream: StreamName) {
        guard let kept = state as? any DeciderState else { return }
        keep(kept, version: version, snapshotVersion: nil, of: stream)
    }

    /// Keeps `kept` at `version`; stores a snapshot off the command's path when the stream moved
    /// ``DeciderStateCache/snapshotInterval`` versions past its latest one (`snapshotVersion`, or
    /// the one the cache knows when nil).
    private func keep<Kept: DeciderState>(_ kept: Kept, version: Int64, snapshotVersion: Int64?, of stream: StreamName)
    {
        let latest = snapshotVersion ?? states.kept(stream.description, as: Kept.self)?.snapshotVersion ?? 0
        let due = states.snapshotInterval > 0 && version - latest >= states.snapshotInterval
        states.keep(kept, version: version, snapshotVersion: due ? version : latest, of: stream.description)
        if due, let id = try? StreamID(stream.description) { storeSnapshot(kept, version: version, of: id) }
    }

    /// Stores a snapshot off the command's path; a failure is logged (the next one is due later).
    private func storeSnapshot<Kept: DeciderState>(_ state: Kept, version: Int64, of id: StreamID) {
        Task.detached(priority: .utility) { [store, logger] in
            do {
                try await store.pool.withConnection {
                    try StreamSnapshots.write(state, version: version, of: id, on: $0)
                }
            } catch {
                logger.warning(
                    "could not store a snapshot", metadata: ["event.stream": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// `recorded` (events of `stream` after version `version`) folded from `initial`.
    private func fold<State>(
        _ recorded: [RecordedEvent], of stream: StreamName, from initial: State,
        _ evolve: (State, SalesEvent) -> State, startingAt version: Int64 = 0
    ) throws -> (state: State, version: Int64) {
        var state = initial
        for event in recorded {
            do {
                state = evolve(
                    state,
                    try SalesEvent.decode(
                        type: event.type, schemaVersion: event.schemaVersion, data: Data(event.data.utf8)))
            } catch {
                throw RecordingError.unreadableEvent(stream: stream.description, reason: error.description)
            }
        }
        return (state, recorded.last?.streamVersion ?? version)
    }
}
