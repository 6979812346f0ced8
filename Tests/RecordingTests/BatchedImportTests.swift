import EventStore
import Foundation
import HexText
import JSON
import PQ
import Projections
import Recording
import Sales
import Synchronization
import TestSupport
import Testing

@Suite("Batched import")
struct BatchedImportTests {
    static func importer(_ database: TestDatabase) -> CommandImport {
        CommandImport(
            recorder: CommandRecorder(
                store: database.store, personalData: database.personalData, logger: TestDatabase.logger),
            actor: "cli:test")
    }

    /// An importer that appends each line's events on their own, so that another writer can strike
    /// between two appends.
    static func lineByLineImporter(_ database: TestDatabase) -> CommandImport {
        CommandImport(
            recorder: CommandRecorder(
                store: database.store, personalData: database.personalData, logger: TestDatabase.logger),
            actor: "cli:test", batchSize: 1)
    }

    /// Lines for one client: registration, touches, invoices and payments, with every id given.
    static func clientLines(_ client: UUID, number: Int) -> [String] {
        let id = client.canonical
        var lines = [
            #"{"command":"register-client","clientId":"\#(id)","name":"Client \#(number)","kind":"company","registeredOn":"2026-01-02"}"#
        ]
        for touch in 0..<3 {
            lines.append(
                #"{"command":"record-touch","clientId":"\#(id)","touchId":"\#(UUID().canonical)","channel":"call","direction":"outbound","occurredAt":"2026-01-0\#(touch + 3)T10:00:00Z","summary":"call \#(touch)"}"#
            )
        }
        for invoice in 0..<2 {
            lines.append(
                #"{"command":"issue-invoice","clientId":"\#(id)","invoiceId":"\#(UUID().canonical)","number":"T-\#(number)-\#(invoice)","issuedOn":"2026-01-10","dueOn":"2026-02-10","amountMinor":\#(10_000 + invoice),"currency":"EUR"}"#
            )
        }
        lines.append(
            #"{"command":"receive-payment","clientId":"\#(id)","paymentId":"\#(UUID().canonical)","receivedOn":"2026-01-20","amountMinor":15000,"currency":"EUR"}"#
        )
        return lines
    }

    /// An invoice line like `line` (same number) with a new invoice id.
    static func anotherInvoice(withNumberOf line: String) -> String {
        let start = line.range(of: #""invoiceId":""#)!.upperBound
        return line.replacingCharacters(in: start..<line.index(start, offsetBy: 36), with: UUID().canonical)
    }

    /// Every event of the log as (type, data) per stream.
    /// Each stream's events as type and payload, personal values opened (their sealed forms differ
    /// from database to database: each has its own keys, and every value its own nonce).
    static func log(_ database: TestDatabase) async throws -> [String: [String]] {
        let events = try await database.store.readAll(after: 0, limit: 100_000)
        let opened = try await database.pool.withConnection { connection in
            try OpenedEvent.open(events, personalData: database.personalData, on: connection)
        }
        var streams = [String: [String]]()
        for event in opened {
            let data = String(decoding: event.data.serialized(), as: UTF8.self)
            streams[event.recorded.streamID, default: []].append("\(event.recorded.type) \(data)")
        }
        return streams
    }

    @Test func invalidLinesInTheMiddleAreReportedAndAppendNothing() async throws {
        let database = try await TestDatabase.make()
        let client = UUID()
        let lines = Self.clientLines(client, number: 1)
        let unknownClient = UUID().canonical
        let text = [
            lines[0], lines[1],
            "not json",
            lines[4],
            Self.anotherInvoice(withNumberOf: lines[4]),
            #"{"command":"receive-payment","clientId":"\#(unknownClient)","receivedOn":"2026-01-20","amountMinor":1,"currency":"EUR"}"#,
            lines[2],
            #"{"command":"issue-invoice","clientId":"\#(client.canonical)","number":"X","issuedOn":"2026-01-10","dueOn":"2026-01-01","amountMinor":1,"currency":"EUR"}"#,
            lines[6],
        ].joined(separator: "\n")
        let summary = try await Self.importer(database).load(text.split(separator: "\n"))
        #expect(summary.rejections.map(\.line) == [3, 5, 6, 8])
        #expect(summary.loaded == 5)
        let log = try await Self.log(database)
        #expect(
            log["client-\(client.canonical)"]?.map { $0.prefix(while: { $0 != " " }) }
                == ["ClientRegistered", "TouchRecorded", "TouchRecorded"])
        #expect(log["receivables-\(client.canonical)"]?.count == 2)
        #expect(log.keys.count == 2)
    }

    /// Another client's invoice number is only caught by the store's claim, which fails the whole
    /// append over many streams: every line of it is recorded again one by one, and only the
    /// line reusing the number is refused.
    @Test func aClaimTakenInABatchOverManyStreamsRefusesOnlyItsLine() async throws {
        let database = try await TestDatabase.make()
        let (first, second) = (UUID(), UUID())
        let firstLines = Self.clientLines(first, number: 1)
        let secondLines = Self.clientLines(second, number: 2)
        let reused = firstLines[4].replacingOccurrences(of: first.canonical, with: second.canonical)
        let lines =
            firstLines + secondLines.prefix(2) + [Self.anotherInvoice(withNumberOf: reused)] + secondLines.dropFirst(2)
        let summary = try await Self.importer(database).load(lines.map { Substring($0) })
        #expect(summary.rejections.map(\.line) == [firstLines.count + 3])
        #expect(summary.rejections.first?.reason.contains("invoice number 'T-1-0' is already used") == true)
        #expect(summary.loaded == lines.count - 1)
        let log = try await Self.log(database)
        #expect(log["receivables-\(first.canonical)"]?.count == 3)
        #expect(log["receivables-\(second.canonical)"]?.count == 3)
        #expect(log.values.reduce(0) { $0 + $1.count } == lines.count - 1)
    }

    @Test func batchedAndOneByOneImportsAppendTheSameEvents() async throws {
        var lines = [String]()
        for number in 0..<12 {
            lines += Self.clientLines(UUID(), number: number)
        }
        // A duplicate invoice number and a payment for nobody among them.
        lines.insert(Self.anotherInvoice(withNumberOf: lines[5]), at: 20)
        lines.insert(
            #"{"command":"receive-payment","clientId":"\#(UUID().canonical)","receivedOn":"2026-01-20","amountMinor":1,"currency":"EUR"}"#,
            at: 40)

        let batched = try await TestDatabase.make()
        let summary = try await Self.importer(batched).load(lines.map { Substring($0) })

        let oneByOne = try await TestDatabase.make()
        let recorder = CommandRecorder(
            store: oneByOne.store, personalData: oneByOne.personalData, logger: TestDatabase.logger)
        var rejected = [Int]()
        for (index, line) in lines.enumerated() {
            do {
                let command = try SalesCommand.parse(
                    importLine: try JSONValue(parsing: Data(line.utf8)), recordedAt: Instant(Date()))
                _ = try await recorder.record(command, actor: "cli:test")
            } catch is SalesRuleViolation {
                rejected.append(index + 1)
            }
        }
        #expect(summary.rejections.map(\.line) == rejected)
        #expect(rejected == [21, 41])
        #expect(summary.loaded == lines.count - 2)
        #expect(try await Self.log(batched) == (try await Self.log(oneByOne)))
    }

    /// Another writer's touch on the client of `clientLines` (its registration and first touch),
    /// as the recorder makes it (decided on a scratch database); calling the answer appends it to
    /// `database` behind the import's back, with any expected version.
    static func otherWritersTouch(
        _ client: UUID, clientLines: [String], on database: TestDatabase
    ) async throws -> @Sendable () -> Void {
        let scratch = try await TestDatabase.make()
        let scratchRecorder = CommandRecorder(
            store: scratch.store, personalData: scratch.personalData, logger: TestDatabase.logger)
        for line in [clientLines[0], clientLines[3]] {
            _ = try await scratchRecorder.record(
                try SalesCommand.parse(
                    importLine: try JSONValue(parsing: Data(line.utf8)), recordedAt: Instant(Date())),
                actor: "other")
        }
        let stream = try StreamID("client-\(client.canonical)")
        let touch = try #require(try await scratch.store.readStream(stream).last)
        let url = database.url
        return {
            guard let other = try? Connection(conninfo: url) else { return }
            _ = try? EventStore.append(
                on: other, to: stream, expected: .any,
                events: [
                    NewEvent(
                        type: touch.type, schemaVersion: touch.schemaVersion, data: touch.data,
                        metadata: EventMetadata(actor: "other"), occurredAt: touch.occurredAt)
                ], clientID: client)
        }
    }

    @Test func aConcurrentWriterCausesAFallbackAndACorrectLog() async throws {
        let database = try await TestDatabase.make()
        let first = UUID()
        let second = UUID()
        let firstLines = Self.clientLines(first, number: 1)
        let secondLines = Self.clientLines(second, number: 2)
        // Line by line, the first client's registration is appended first; then another writer
        // appends a touch to it before the import's next touch.
        let lines = [firstLines[0]] + secondLines + [firstLines[1], firstLines[2]]

        let appendOthersTouch = try await Self.otherWritersTouch(first, clientLines: firstLines, on: database)
        let otherLine = 1 + secondLines.count

        let summary = try await Self.lineByLineImporter(database).load(lines.map { Substring($0) }) { done in
            if done == otherLine { appendOthersTouch() }
        }
        #expect(summary.rejections == [])
        #expect(summary.loaded == lines.count)
        let stream = try await database.store.readStream(try StreamID("client-\(first.canonical)"))
        #expect(stream.map(\.streamVersion) == [1, 2, 3, 4])
        #expect(stream.map(\.type) == ["ClientRegistered", "TouchRecorded", "TouchRecorded", "TouchRecorded"])
        #expect(stream.map { $0.metadata.contains("other") } == [false, true, false, false])
        let log = try await Self.log(database)
        #expect(log["receivables-\(second.canonical)"]?.count == 3)
    }

    /// The other writer strikes a batch that is appending while later lines are already decided:
    /// the failed batch's lines and those later ones are all recorded again, none lost or doubled,
    /// and progress reports every line once, in order, only after it is stored.
    @Test func aConflictOnTheBatchInFlightRecordsItAndTheLinesDecidedAfterIt() async throws {
        let database = try await TestDatabase.make()
        let (first, second, third) = (UUID(), UUID(), UUID())
        let firstLines = Self.clientLines(first, number: 1)
        let secondLines = Self.clientLines(second, number: 2)
        let thirdLines = Self.clientLines(third, number: 3)
        // Line by line, the first client's first touch goes in flight just after the other
        // writer's touch while its second touch is decided; the third client's lines follow them.
        let lines = [firstLines[0]] + secondLines + [firstLines[1], firstLines[2]] + thirdLines

        let appendOthersTouch = try await Self.otherWritersTouch(first, clientLines: firstLines, on: database)
        let other = try Connection(conninfo: database.url)
        let otherLine = 1 + secondLines.count
        let firstStream = try StreamID("client-\(first.canonical)")
        let done = Mutex([Int]())

        let summary = try await Self.lineByLineImporter(database).load(lines.map { Substring($0) }) { line in
            done.withLock { $0.append(line) }
            guard line == otherLine else { return }
            // The line reported done (the second client's payment) is stored already.
            let stored = try? EventStore.readStream(StreamID("receivables-\(second.canonical)"), on: other).count
            #expect(stored == 3)
            appendOthersTouch()
        }
        #expect(summary.rejections == [])
        #expect(summary.loaded == lines.count)
        let reported = done.withLock { $0 }
        #expect(reported == reported.sorted())
        #expect(Set(reported) == Set(1...lines.count))
        let stream = try await database.store.readStream(firstStream)
        #expect(stream.map(\.type) == ["ClientRegistered", "TouchRecorded", "TouchRecorded", "TouchRecorded"])
        #expect(stream.map { $0.metadata.contains("other") } == [false, true, false, false])
        let log = try await Self.log(database)
        #expect(log["client-\(third.canonical)"]?.count == 4)
        #expect(log["receivables-\(third.canonical)"]?.count == 3)
        #expect(log["receivables-\(second.canonical)"]?.count == 3)
        #expect(log.values.reduce(0) { $0 + $1.count } == lines.count + 1)
    }
}
