public import Access
public import EventStore
public import Foundation
import PQ
public import Sales

/// A client's history as of a business day and as known at an instant: the events of its streams
/// in log order that count, decoded (upcast where older), and the state they add up to. What
/// `GET /v1/clients/{clientId}/history` and `touchstone history` show.
public struct ClientHistory: Sendable {
    /// One event that counts: as stored, and decoded.
    public struct Entry: Sendable {
        /// The event as stored, its personal values opened.
        public let opened: OpenedEvent
        /// The event in the domain's terms.
        public let event: SalesEvent

        /// The event as stored, with its place in the log.
        public var recorded: RecordedEvent { opened.recorded }
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

    /// Events decoded by one task: the rows arrive in runs of this many, and each run is decoded
    /// while the next ones are still coming from the server.
    public static let eventsPerDecodingTask = 128

    /// Reads `client`'s events that count in `window` (recorded at or before its `knownAt`, all
    /// when nil, and dated on or before its `asOf`), opens their personal values with the client's keys in `personalData` (read
    /// once, before the events), and replays them.
    ///
    /// Decoding (JSON and upcasting) is most of the time such a read takes, so it does not wait
    /// for the whole read: each run of `chunkSize` events is decoded by a task of its own as soon
    /// as its rows have arrived, on whichever core is free, while the server sends the rest.
    /// - Parameter chunkSize: events per decoding task (tests pass others).
    /// - Throws: ``UnreadableEvent`` for an event that cannot be decoded (the earliest such event
    ///   when several runs hold one), `CancellationError` when the calling task is cancelled (the
    ///   read stops; a history is never answered in part), or the store's error.
    public static func read(
        _ client: UUID, window: ReportWindow, from store: EventStore, personalData: PersonalDataKeys,
        chunkSize: Int = eventsPerDecodingTask
    ) async throws -> ClientHistory {
        let opener = try await store.pool.withConnection { connection in
            try personalData.opener(forClient: client, on: connection)
        }
        let (chunks, sink) = AsyncStream.makeStream(of: [RecordedEvent].self)
        async let eventsStored = {
            defer { sink.finish() }
            return try await store.readClient(client, chunkSize: chunkSize) { chunk in
                // Nobody listens any more (the task was cancelled): stop reading.
                if case .terminated = sink.yield(chunk) { throw CancellationError() }
            }
        }()
        let (decoded, received) = await withTaskGroup(of: (Int, Result<[Entry], UnreadableEvent>).self) { group in
            var runs = 0
            var received = 0
            for await chunk in chunks {
                let run = runs
                runs += 1
                received += chunk.count
                group.addTask {
                    (
                        run,
                        Result { () throws(UnreadableEvent) in
                            try entries(of: chunk, window: window, opener: opener)
                        }
                    )
                }
            }
            var byRun = [Result<[Entry], UnreadableEvent>](repeating: .success([]), count: runs)
            for await (run, result) in group { byRun[run] = result }
            return (byRun, received)
        }
        let stored = try await eventsStored
        // The stream ends early only when the task is cancelled.
        guard received == stored else { throw CancellationError() }
        // In log order, so an unreadable event is the earliest one, as in a single pass.
        return ClientHistory(entries: try decoded.flatMap { try $0.get() }, eventsStored: stored)
    }

    private init(entries: [Entry], eventsStored: Int) {
        self.entries = entries
        self.eventsStored = eventsStored
        state = ClientHistoryState.replay(entries.lazy.map(\.event))
    }

    /// The events of `recorded` that count, decoded.
    static func entries(
        of recorded: [RecordedEvent], window: ReportWindow, opener: PersonalDataOpener
    ) throws(UnreadableEvent) -> [Entry] {
        var entries = [Entry]()
        entries.reserveCapacity(recorded.count)
        for stored in recorded {
            if window.knownAt != nil {
                guard let recordedAt = Instant(stored.recordedAt) else {
                    throw UnreadableEvent(
                        position: stored.position, reason: "unreadable recordedAt \(stored.recordedAt)")
                }
                if !window.knows(recordedAt: recordedAt) { continue }
            }
            let opened: OpenedEvent
            let event: SalesEvent
            do {
                opened = try OpenedEvent(stored, opener: opener)
                event = try SalesEvent.decode(
                    type: stored.type, schemaVersion: stored.schemaVersion, payload: opened.data)
            } catch let error as PersonalDataError {
                throw UnreadableEvent(position: stored.position, reason: error.description)
            } catch let error as EventDecodingError {
                throw UnreadableEvent(position: stored.position, reason: error.description)
            } catch {
                throw UnreadableEvent(position: stored.position, reason: "\(error)")
            }
            if event.businessDate <= window.asOf { entries.append(Entry(opened: opened, event: event)) }
        }
        return entries
    }
}
