public import Access
public import EventStore
public import Foundation
import HexText
import JSON
public import Logging
import PQ
public import Sales

extension ClientHistory {
    /// One page of a client's history: the events that count after a position, at most a limit
    /// of them, and the client's state after the whole filtered replay.
    public struct Page: Sendable {
        /// The page's events, in log order, their personal values opened.
        public let entries: [Entry]
        /// The client's state after every event that counts (not only the page's), its name and
        /// deals' titles opened.
        public let state: ClientHistoryState
        /// The `after` of the next page; nil on the last.
        public let next: Int64?
    }

    /// A client history's state is snapshotted again once this many events follow its latest
    /// snapshot.
    public static let snapshotInterval = 256

    /// The events of `client` after position `after` that count as of `asOf` as known at
    /// `knownAt` (at most `limit`), read as that range, and the state after every event that
    /// counts, folded from the latest snapshot whose events all count (see
    /// ``ClientHistorySnapshots``) and the events after it. A read as of today (no `knownAt`)
    /// whose events after the snapshot all count stores a new snapshot when there are
    /// ``snapshotInterval`` of them or more, before it answers (a failure to store it is logged).
    ///
    /// The state is folded from the events as stored (personal values sealed) and only its name
    /// and titles are opened, so no snapshot holds a readable personal value.
    /// - Throws: ``UnreadableEvent`` for an event that cannot be decoded, or the store's error.
    public static func page(
        _ client: UUID, asOf: LocalDate, knownAt: Instant?, after: Int64, limit: Int, from store: EventStore,
        personalData: PersonalDataKeys, logger: Logger
    ) async throws -> Page {
        let knownAt = knownAt?.microsecondsFloor
        let (opener, snapshot, tail, rows) = try await store.pool.withConnection { connection in
            let opener = try personalData.opener(forClient: client, on: connection)
            let snapshot = try ClientHistorySnapshots.nearest(client, asOf: asOf, knownAt: knownAt, on: connection)
            // As of today the events after the snapshot are read whatever their date, so that
            // when they all count they make the next snapshot.
            let tail = try EventStore.readClient(
                client, after: snapshot?.position ?? 0, asOf: knownAt == nil ? nil : asOf.description,
                knownAt: knownAt?.description, on: connection)
            let rows = try EventStore.readClient(
                client, after: after, asOf: asOf.description, knownAt: knownAt?.description, limit: Int64(limit) + 1,
                on: connection)
            return (opener, snapshot, tail, rows)
        }
        var state = ClientHistoryState.initial
        if let snapshot {
            do {
                state = try ClientHistoryState(snapshot: try JSONValue(parsing: Data(snapshot.text.utf8)))
            } catch {
                logger.warning(
                    "ignoring a history snapshot that does not decode",
                    metadata: ["client.id": "\(client.canonical)", "error": "\(error)"])
                try await store.pool.withConnection {
                    try ClientHistorySnapshots.delete(client, position: snapshot.position, on: $0)
                }
                return try await page(
                    client, asOf: asOf, knownAt: knownAt, after: after, limit: limit, from: store,
                    personalData: personalData, logger: logger)
            }
        }
        var maxBusinessDate = snapshot?.maxBusinessDate
        var maxRecordedAt = snapshot?.maxRecordedAt
        var everyEventCounts = knownAt == nil
        for stored in tail {
            let event: SalesEvent
            do {
                event = try SalesEvent.decode(
                    type: stored.type, schemaVersion: stored.schemaVersion, data: Data(stored.data.utf8))
            } catch {
                throw UnreadableEvent(position: stored.position, reason: error.description)
            }
            guard event.businessDate <= asOf else {
                everyEventCounts = false
                continue
            }
            state.apply(event)
            maxBusinessDate = max(maxBusinessDate ?? event.businessDate, event.businessDate)
            if let recordedAt = Instant(stored.recordedAt) {
                maxRecordedAt = max(maxRecordedAt ?? recordedAt, recordedAt)
            }
        }
        if everyEventCounts, tail.count >= snapshotInterval, let last = tail.last, let maxBusinessDate,
            let maxRecordedAt
        {
            // Stored before answering: a write left to a background task could wait behind the
            // reads that kept arriving, each of which replayed the same tail meanwhile.
            do {
                try await store.pool.withConnection { [state] in
                    try ClientHistorySnapshots.write(
                        state, of: client, position: last.position, maxBusinessDate: maxBusinessDate,
                        maxRecordedAt: maxRecordedAt, on: $0)
                }
            } catch {
                logger.warning(
                    "could not store a history snapshot",
                    metadata: ["client.id": "\(client.canonical)", "error": "\(error)"])
            }
        }
        let opened: ClientHistoryState
        do {
            opened = try state.openingPersonalValues { try opener.open($0).text }
        } catch {
            throw UnreadableEvent(position: tail.last?.position ?? snapshot?.position ?? 0, reason: "\(error)")
        }
        let counted = try entries(
            of: Array(rows.prefix(limit)), window: ReportWindow(asOf: asOf, knownAt: knownAt), opener: opener)
        return Page(entries: counted, state: opened, next: rows.count > limit ? rows[limit - 1].position : nil)
    }
}
