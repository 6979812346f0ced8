import Access
import EventStore
import Foundation
public import JSON
import Sales

/// Loads commands as `touchstone import` and `touchstone demo` do: every line is validated and
/// decided like an HTTP request, by the same deciders; a refused line is reported with its reason
/// and the rest are still loaded.
///
/// Lines are decided in order against states kept in memory (``ImportedStreams``) rather than
/// read back for each line, and the events of consecutive lines, on whichever streams, are
/// appended as one batch in one transaction, each stream at exactly the version its state was
/// decided at, with the batch's claims. One batch is appended while the next is decided, so the
/// client and the server work at the same time; a line counts as done (progress, summary) once its
/// batch has committed. When an append fails on a version conflict (another writer) or a taken
/// claim, nothing of the batch is stored: its lines, and those decided after them, are recorded
/// again one by one through ``CommandRecorder``, so each line is judged against the store and a
/// refusal names the right line.
public struct CommandImport: Sendable {
    /// One refused line.
    public struct Rejection: Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line number.
        public var line: Int
        /// Why it was refused (validation errors or the rule broken).
        public var reason: String

        public var description: String { "line \(line): \(reason)" }
    }

    /// What a load did.
    public struct Summary: Sendable, Equatable {
        /// Lines recorded.
        public var loaded = 0
        /// Lines refused, in order.
        public var rejections: [Rejection] = []
    }

    /// The path commands are recorded through.
    public let recorder: CommandRecorder
    /// The actor recorded with every event (`cli:<user>`).
    public let actor: String

    /// How many lines are validated ahead, so that the store is asked once which of their
    /// streams exist.
    static let prefetchSize = 2_000

    /// The most events appended in one batch (a line's events are never split).
    public let batchSize: Int

    /// An import recording as `actor`, appending at most `batchSize` events at a time.
    public init(recorder: CommandRecorder, actor: String, batchSize: Int = 200) {
        self.recorder = recorder
        self.actor = actor
        self.batchSize = max(1, batchSize)
    }

    /// Loads `lines` (raw JSON texts; blank lines are skipped), calling `progress` with the number
    /// of each line once it is done (appended or refused), in order.
    public func load(
        _ lines: [Substring], progress: @escaping (Int) -> Void = { _ in }
    ) async throws -> Summary {
        var batch = ImportBatch(importer: self, done: progress)
        var parsed = [(line: Int, json: JSONValue?, reason: String?)]()
        for (index, text) in lines.enumerated() {
            guard text.utf8.contains(where: { !$0.isJSONWhitespace }) else { continue }
            do {
                parsed.append((index + 1, try JSONValue(parsing: Data(text.utf8)), nil))
            } catch {
                parsed.append((index + 1, nil, "not JSON: \(error.description)"))
            }
            if parsed.count == Self.prefetchSize {
                try await batch.add(parsed)
                parsed = []
            }
        }
        try await batch.add(parsed)
        let summary = try await batch.finish()
        progress(lines.count)
        return summary
    }

    /// Loads already parsed lines (the demo's).
    public func load(_ lines: [JSONValue]) async throws -> Summary {
        var batch = ImportBatch(importer: self, done: { _ in })
        for start in stride(from: 0, to: lines.count, by: Self.prefetchSize) {
            let chunk = lines[start..<min(lines.count, start + Self.prefetchSize)]
            try await batch.add(chunk.enumerated().map { (start + $0.offset + 1, $0.element, nil) })
        }
        return try await batch.finish()
    }
}

/// One run of an import: the lines decided since the last append, the events they add to their
/// streams, the append in flight, and the summary of the lines settled so far.
private struct ImportBatch {
    /// A line decided but not settled yet: its command (nil when it did not validate) and, when
    /// refused, why.
    struct Item {
        var line: Int
        var command: SalesCommand?
        var refusal: String?
    }

    let importer: CommandImport
    let streams: ImportedStreams
    let metadata: EventMetadata
    /// Called with each line's number once it is settled, in order.
    let done: (Int) -> Void
    var summary = CommandImport.Summary()
    /// The append running while the next batch is decided, and the lines it settles.
    var inFlight: (append: Task<Void, any Error>, items: [Item])?
    var items: [Item] = []
    /// The events of `items`, stream by stream in the order they were decided.
    var parts: [StreamAppend] = []
    var eventCount = 0
    /// The data keys of the clients seen so far, which seal their personal fields.
    var keys: [UUID: DataKey] = [:]

    init(importer: CommandImport, done: @escaping (Int) -> Void) {
        self.importer = importer
        self.done = done
        streams = ImportedStreams(recorder: importer.recorder)
        metadata = EventMetadata(actor: importer.actor)
    }

    /// Validates `lines` (a line without JSON comes with the reason), learns which of their
    /// streams are new, then decides them in order.
    mutating func add(_ lines: [(line: Int, json: JSONValue?, reason: String?)]) async throws {
        var commands = [(line: Int, command: SalesCommand?, reason: String?)]()
        var streamsAhead = Set<StreamName>()
        var registering = Set<UUID>()
        var clientsAhead = Set<UUID>()
        for (line, json, reason) in lines {
            guard let json else {
                commands.append((line, nil, reason))
                continue
            }
            do {
                let command = try SalesCommand.parse(importLine: json, recordedAt: Instant(Date()))
                commands.append((line, command, nil))
                if let client = command.clientId {
                    streamsAhead.formUnion([.client(client), .receivables(client)])
                    if command.name == .registerClient {
                        registering.insert(client)
                    } else {
                        clientsAhead.insert(client)
                    }
                }
            } catch {
                commands.append((line, nil, error.description))
            }
        }
        try await streams.prefetch(streamsAhead)
        // New clients get their keys in one statement; known ones are looked up in one query.
        keys.merge(try await importer.recorder.sealingKeys(forClients: registering.subtracting(keys.keys))) { a, _ in a
        }
        keys.merge(
            try await importer.recorder.sealingKeys(forClients: clientsAhead.subtracting(keys.keys), creating: false)
        ) { a, _ in a }
        for (line, command, reason) in commands {
            if let command {
                try await add(command, line: line)
            } else {
                try await refuse(line: line, reason: reason ?? "")
            }
        }
    }

    /// Decides one command; its events join the batch.
    private mutating func add(_ command: SalesCommand, line: Int) async throws {
        while true {
            let decision: Decision
            do {
                decision = try await importer.recorder.decide(command, reading: streams)
            } catch let violation as SalesRuleViolation {
                items.append(Item(line: line, command: command, refusal: violation.description))
                return try await settleIfEmpty()
            }
            if !parts.isEmpty, eventCount + decision.events.count > importer.batchSize {
                // After a fallback the cached states are gone: decide again against the store.
                guard try await flush() else { continue }
            }
            let unsealable = CommandRecorder.clientsToSeal(decision.events).subtracting(keys.keys)
            if !unsealable.isEmpty {
                keys.merge(try await importer.recorder.sealingKeys(forClients: unsealable)) { a, _ in a }
            }
            let stream = try StreamID(decision.stream.description)
            let events = decision.events.map { CommandRecorder.newEvent($0, metadata: metadata, keys: keys) }
            if let last = parts.indices.last, parts[last].stream == stream {
                parts[last].events += events
                parts[last].claims += decision.claims
            } else {
                parts.append(
                    StreamAppend(
                        stream: stream, expected: ExpectedVersion(version: decision.expectedVersion), events: events,
                        clientID: decision.events.first?.clientId, claims: decision.claims))
            }
            eventCount += events.count
            items.append(Item(line: line, command: command))
            if !streams.accept(decision) { _ = try await flush() }
            return
        }
    }

    /// Refuses a line whatever the state (it is not a valid command).
    private mutating func refuse(line: Int, reason: String) async throws {
        items.append(Item(line: line, refusal: reason))
        try await settleIfEmpty()
    }

    /// Appends what is left, waits for it, and returns the summary.
    mutating func finish() async throws -> CommandImport.Summary {
        _ = try await flush()
        _ = try await settleInFlight(before: [])
        try await streams.storeSnapshots()
        return summary
    }

    /// Settles the pending lines at once when they add no events.
    private mutating func settleIfEmpty() async throws {
        if parts.isEmpty { _ = try await flush() }
    }

    /// Waits for the append in flight, then starts the batch's append (or settles its lines at
    /// once when it adds no events). False when an append failed and the lines were recorded
    /// again one by one.
    private mutating func flush() async throws -> Bool {
        let pending = items
        let batch = parts
        items = []
        parts = []
        eventCount = 0
        guard try await settleInFlight(before: pending) else { return false }
        guard !batch.isEmpty else {
            settle(pending)
            return true
        }
        let store = importer.recorder.store
        inFlight = (Task { try await store.append(batch) }, pending)
        return true
    }

    /// Waits for the append in flight and settles its lines. When it failed on another writer,
    /// its lines and `later` (decided after them, not appended) are recorded one by one, and the
    /// answer is false.
    private mutating func settleInFlight(before later: [Item]) async throws -> Bool {
        guard let (append, appended) = inFlight else { return true }
        inFlight = nil
        do {
            try await append.value
        } catch EventStoreError.versionConflict, EventStoreError.claimTaken {
            streams.discardAll()
            for item in appended + later {
                try await recordAlone(item)
                done(item.line)
            }
            return false
        }
        streams.commit()
        settle(appended)
        return true
    }

    /// Counts lines whose fate is sealed: recorded, or refused with their reason.
    private mutating func settle(_ settled: [Item]) {
        for item in settled {
            if let refusal = item.refusal {
                summary.rejections.append(CommandImport.Rejection(line: item.line, reason: refusal))
            } else {
                summary.loaded += 1
            }
            done(item.line)
        }
    }

    /// Records one line through ``CommandRecorder``, reading its streams from the store.
    private mutating func recordAlone(_ item: Item) async throws {
        guard let command = item.command else {
            summary.rejections.append(CommandImport.Rejection(line: item.line, reason: item.refusal ?? ""))
            return
        }
        do {
            _ = try await importer.recorder.record(command, actor: importer.actor)
            summary.loaded += 1
        } catch let violation as SalesRuleViolation {
            summary.rejections.append(CommandImport.Rejection(line: item.line, reason: violation.description))
        }
    }
}
