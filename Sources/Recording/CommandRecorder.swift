import Access
import EventStore
import Foundation
import Logging
import Sales

/// The one path from a validated command to appended events, shared by the HTTP API and
/// `touchstone import`.
///
/// It loads the streams the decider needs (replaying them with `evolve`), decides, seals the
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
    let logger: Logger

    /// A recorder on `store`, sealing personal fields with `personalData`'s keys.
    public init(store: EventStore, personalData: PersonalDataKeys, logger: Logger) {
        self.store = store
        self.personalData = personalData
        self.logger = logger
    }

    /// Records `command` on behalf of `actor` (a token subject or `cli:<user>`).
    /// - Throws: `SalesRuleViolation` for a rule of the domain (nothing appended),
    ///   ``RecordingError``, or the store's errors.
    public func record(_ command: SalesCommand, actor: String, correlationID: UUID? = nil) async throws
        -> RecordedCommand
    {
        let metadata = EventMetadata(actor: actor, correlationID: correlationID)
        var attempt = 0
        while true {
            attempt += 1
            let decision = try await decide(command, reading: self)
            let keys = try await sealingKeys(for: decision.events)
            do {
                let stream = try StreamID(decision.stream.description)
                let result = try await store.append(
                    to: stream, expected: ExpectedVersion(version: decision.expectedVersion),
                    events: decision.events.map { Self.newEvent($0, metadata: metadata, keys: keys) },
                    clientID: decision.events.first?.clientId, claims: decision.claims)
                var outcome = decision.outcome
                outcome.streamVersion = result.streamVersion
                return outcome
            } catch EventStoreError.versionConflict(let stream, _, _) {
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
        var payload = event.json
        if let client = event.clientId, let key = keys[client] {
            payload = key.seal(payload, personalFields: type(of: event.payload).personalFields)
        }
        return NewEvent(
            type: event.type, schemaVersion: event.schemaVersion, data: String(decoding: payload.serialized(), as: UTF8.self),
            metadata: metadata, occurredAt: event.occurredAt.description)
    }

    /// The clients of `events` that carry a personal value, whose keys sealing needs.
    static func clientsToSeal(_ events: some Sequence<SalesEvent>) -> Set<UUID> {
        var clients = Set<UUID>()
        for event in events where event.carriesPersonalData {
            if let client = event.clientId { clients.insert(client) }
        }
        return clients
    }

    /// The data keys that sealing `events` needs (none, without a query, when no event carries a
    /// personal value), made for clients that have none yet.
    func sealingKeys(for events: [SalesEvent]) async throws -> [UUID: DataKey] {
        try await sealingKeys(forClients: Self.clientsToSeal(events))
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
        default:
            SalesRuleViolation(.duplicateInvoice, "invoice \(key) already exists", field: "invoiceId")
        }
    }

    /// The events of `stream` folded from `initial` with `evolve`, and the stream's version.
    func load<State>(
        _ stream: StreamName, from initial: State, _ evolve: @escaping (State, SalesEvent) -> State
    ) async throws -> (state: State, version: Int64) {
        let recorded = try await store.readStream(try StreamID(stream.description))
        var state = initial
        for event in recorded {
            do {
                state = evolve(
                    state,
                    try SalesEvent.decode(type: event.type, schemaVersion: event.schemaVersion, data: Data(event.data.utf8)))
            } catch {
                throw RecordingError.unreadableEvent(stream: stream.description, reason: error.description)
            }
        }
        return (state, recorded.last?.streamVersion ?? 0)
    }
}
