import EventStore
import Foundation
import Logging
import Sales

/// The one path from a validated command to appended events, shared by the HTTP API and
/// `touchstone import`.
///
/// It loads the streams the decider needs (replaying them with `evolve`), decides, and appends
/// to the guarding stream at exactly the version it read. When another writer got there first
/// (`versionConflict`), it reloads and decides again, a bounded number of times, so a decision is
/// always made against the state it is appended after (two payments never allocate one balance).
public struct CommandRecorder: Sendable {
    /// How many times a decision is retried after a version conflict.
    public static let maximumAttempts = 10

    /// The store events are read from and appended to.
    public let store: EventStore
    let logger: Logger

    /// A recorder on `store`.
    public init(store: EventStore, logger: Logger) {
        self.store = store
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
            do {
                let stream = try StreamID(decision.stream.description)
                let result = try await store.append(
                    to: stream, expected: ExpectedVersion(version: decision.expectedVersion),
                    events: decision.events.map { Self.newEvent($0, metadata: metadata) },
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

    static func newEvent(_ event: SalesEvent, metadata: EventMetadata) -> NewEvent {
        NewEvent(
            type: event.type, schemaVersion: event.schemaVersion, data: String(decoding: event.encode(), as: UTF8.self),
            metadata: metadata, occurredAt: event.occurredAt.description)
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
