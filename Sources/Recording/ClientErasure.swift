public import Access
public import EventStore
public import Foundation
import HexText
public import JSON
import PQ
import Projections
public import Sales

/// Erases a client's personal data without touching the log: the client's data keys are deleted
/// and a `ClientPersonalDataErased` event is appended to its stream, in one transaction.
///
/// Every personal value of the client (its name, email and phone, and every free text on its
/// client, deal and receivables streams) was sealed with those keys, in the log and in every read
/// model, so none of them can be read afterwards, by any role, from any table or any copy made
/// since. The one plaintext a read model keeps, the clients directory's lowercased search name, is
/// removed from every generation of the directory in the same transaction
/// (``ClientNameSearch/forget(_:on:)``). Amounts, dates, ids and categories are not personal and
/// stay, so no figure moves.
public struct ClientErasure: Sendable {
    /// What an erasure answers: `{"clientId", "erasedAt", "events"}`.
    public struct Receipt: Sendable, Equatable {
        /// The client.
        public let clientId: UUID
        /// When the erasure was recorded.
        public let erasedAt: Instant
        /// How many events had personal fields erased.
        public let events: Int

        /// The answer's JSON.
        public var json: JSONValue {
            .object([
                "clientId": .string(clientId.canonical), "erasedAt": .string(erasedAt.description),
                "events": .integer(Int64(events)),
            ])
        }
    }

    /// The log.
    public let store: EventStore
    /// The data keys to delete.
    public let personalData: PersonalDataKeys

    /// An erasure on `store` and `personalData`.
    public init(store: EventStore, personalData: PersonalDataKeys) {
        self.store = store
        self.personalData = personalData
    }

    /// Erases `client`'s personal data on behalf of `actor`.
    ///
    /// A second call answers the receipt of the first and changes nothing, unless personal data
    /// was recorded for the client since (a new key was made): that is erased in turn, with an
    /// erasure event of its own.
    /// - Throws: `SalesRuleViolation` `client-not-found` for an unknown client; ``RecordingError``
    ///   when other writers keep moving the client's stream on.
    public func erase(_ client: UUID, actor: String) async throws -> Receipt {
        let stream = try StreamID(StreamName.client(client).description)
        let metadata = EventMetadata(actor: actor)
        for _ in 0..<CommandRecorder.maximumAttempts {
            let receipt: Receipt? = try await store.pool.withConnection { [personalData] connection in
                let events = try EventStore.readStream(stream, on: connection)
                guard let version = events.last?.streamVersion else {
                    throw SalesRuleViolation(
                        .clientNotFound, "client \(client.canonical) is not registered", field: "clientId")
                }
                let keys = try personalData.keyIDs(ofClient: client, on: connection)
                if keys.isEmpty, let earlier = events.last(where: { $0.type == ClientPersonalDataErased.eventType }) {
                    guard
                        case .clientPersonalDataErased(let erased) = try SalesEvent.decode(
                            type: earlier.type, schemaVersion: earlier.schemaVersion, data: Data(earlier.data.utf8))
                    else {
                        throw RecordingError.unreadableEvent(
                            stream: stream.description, reason: "event \(earlier.position) is not an erasure")
                    }
                    return Receipt(clientId: client, erasedAt: erased.erasedAt, events: erased.events)
                }
                let count = try EventStore.countClientEvents(
                    client, holdingAnyOf: keys.map { SealedText.prefix + $0.canonical + ":" }, on: connection)
                let erased = ClientPersonalDataErased(clientId: client, erasedAt: Instant(Date()), events: count)
                do {
                    try connection.transaction { connection in
                        // The directory's opened name goes with the keys, in every generation; its
                        // registry rows are locked before the keys (the order a batch takes them).
                        try ClientNameSearch.forget(client, on: connection)
                        _ = try personalData.erase(client: client, on: connection)
                        _ = try EventStore.append(
                            on: connection, to: stream, expected: ExpectedVersion(version: version),
                            events: [CommandRecorder.newEvent(erased.event, metadata: metadata, keys: [:])],
                            clientID: client)
                    }
                } catch EventStoreError.versionConflict {
                    return nil
                }
                return Receipt(clientId: client, erasedAt: erased.erasedAt, events: count)
            }
            if let receipt {
                store.notifyReaders()
                return receipt
            }
        }
        throw RecordingError.contention(stream: stream.description, attempts: CommandRecorder.maximumAttempts)
    }
}
