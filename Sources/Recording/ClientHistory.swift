import EventStore
import Foundation
import Sales

/// A client's history as of a business day and as known at an instant: the events of its streams
/// in log order that count, decoded (upcast where older), and the state they add up to. What
/// `GET /v1/clients/{clientId}/history` and `touchstone history` show.
public struct ClientHistory: Sendable {
    /// One event that counts: as stored, and decoded.
    public struct Entry: Sendable {
        /// The event as stored, with its place in the log.
        public let recorded: RecordedEvent
        /// The event in the domain's terms.
        public let event: SalesEvent
    }

    /// A stored event of the client that cannot be read.
    public struct UnreadableEvent: Error, Sendable, CustomStringConvertible {
        /// The event's position in the log.
        public let position: Int64
        /// Why it cannot be read.
        public let reason: String

        public var description: String { "event at position \(position) cannot be read: \(reason)" }
    }

    /// The events that count, in log order.
    public let entries: [Entry]
    /// How many events of the client the log holds, whether they count or not.
    public let eventsStored: Int
    /// The client's state after them.
    public let state: ClientHistoryState

    /// Events from which decoding is shared among the processor's cores: below it one core
    /// decodes faster than tasks are started and joined.
    static let eventsPerDecodingTask = 256

    /// Reads `client`'s events recorded at or before `knownAt` (all when nil) and dated on or
    /// before `asOf`, and replays them.
    ///
    /// A long history is decoded in slices on several cores at once: decoding (JSON and
    /// upcasting) is most of the time such a read takes, and the slices are independent.
    /// - Parameter cores: how many slices at most (the processor's cores; tests pass more).
    /// - Throws: ``UnreadableEvent`` for an event that cannot be decoded (the earliest such event
    ///   when several slices hold one), or the store's error.
    public static func read(
        _ client: UUID, asOf: LocalDate, knownAt: Instant?, from store: EventStore,
        cores: Int = ProcessInfo.processInfo.activeProcessorCount
    ) async throws -> ClientHistory {
        let recorded = try await store.readClient(client)
        let slices = min(max(1, cores), max(1, recorded.count / eventsPerDecodingTask))
        guard slices > 1 else {
            return try ClientHistory(
                entries: entries(of: recorded[...], asOf: asOf, knownAt: knownAt), eventsStored: recorded.count)
        }
        let size = (recorded.count + slices - 1) / slices
        let decoded = await withTaskGroup(of: (Int, Result<[Entry], UnreadableEvent>).self) { group in
            for slice in 0..<slices {
                let events = recorded[(slice * size)..<min(recorded.count, (slice + 1) * size)]
                group.addTask {
                    (slice, Result { () throws(UnreadableEvent) in try entries(of: events, asOf: asOf, knownAt: knownAt) })
                }
            }
            var bySlice = [Result<[Entry], UnreadableEvent>](repeating: .success([]), count: slices)
            for await (slice, result) in group { bySlice[slice] = result }
            return bySlice
        }
        // In slice order, so an unreadable event is the earliest one, as in a single pass.
        return ClientHistory(entries: try decoded.flatMap { try $0.get() }, eventsStored: recorded.count)
    }

    private init(entries: [Entry], eventsStored: Int) {
        self.entries = entries
        self.eventsStored = eventsStored
        state = ClientHistoryState.replay(entries.lazy.map(\.event))
    }

    /// The events of `recorded` that count, decoded.
    private static func entries(
        of recorded: ArraySlice<RecordedEvent>, asOf: LocalDate, knownAt: Instant?
    ) throws(UnreadableEvent) -> [Entry] {
        var entries = [Entry]()
        entries.reserveCapacity(recorded.count)
        for stored in recorded {
            if let knownAt {
                guard let recordedAt = Instant(stored.recordedAt) else {
                    throw UnreadableEvent(position: stored.position, reason: "unreadable recordedAt \(stored.recordedAt)")
                }
                if recordedAt > knownAt { continue }
            }
            let event: SalesEvent
            do {
                event = try SalesEvent.decode(
                    type: stored.type, schemaVersion: stored.schemaVersion, data: Data(stored.data.utf8))
            } catch {
                throw UnreadableEvent(position: stored.position, reason: error.description)
            }
            if event.businessDate <= asOf { entries.append(Entry(recorded: stored, event: event)) }
        }
        return entries
    }
}
