import EventStore
import Foundation
import HexText
import JSON
import PQ
import Projections
import Sales
import TestSupport
import Testing

@testable import Recording

/// A history page reads only its page, and its `state` (from the nearest snapshot that counts,
/// plus the events after it) is the state of the whole filtered replay, for every cut.
@Suite("Client history pages")
struct ClientHistoryPageTests {
    static func story(_ client: String, from start: Int, count: Int) -> [Substring] {
        var lines: [Substring] = []
        for index in start..<(start + count) {
            let month = 1 + index % 4
            let day = String(format: "2026-%02d-%02d", month, 1 + index % 28)
            let deal = String(format: "00000000-0000-4000-8000-%012d", index / 40)
            let line: String
            switch index % 40 {
            case 0:
                line =
                    #"{"command":"open-deal","dealId":"\#(deal)","clientId":"\#(client)","title":"Paper \#(index)","amountMinor":5000,"currency":"RUB","openedOn":"2026-01-01"}"#
            case 7:
                line = #"{"command":"move-deal-stage","dealId":"\#(deal)","stage":"offer","movedOn":"\#(day)"}"#
            case 9:
                line =
                    #"{"command":"make-offer","dealId":"\#(deal)","amountMinor":\#(4000 + index),"currency":"RUB","offeredOn":"\#(day)"}"#
            case 13 where index % 80 == 13:
                line = #"{"command":"win-deal","dealId":"\#(deal)","wonOn":"\#(day)"}"#
            case 13 where index % 160 == 53:
                line =
                    #"{"command":"lose-deal","dealId":"\#(deal)","lostOn":"\#(day)","refusedBy":"client","reason":"price"}"#
            case 17:
                line =
                    #"{"command":"place-order","clientId":"\#(client)","placedOn":"\#(day)","amountMinor":\#(100 + index),"currency":"RUB"}"#
            case 19:
                line =
                    #"{"command":"issue-invoice","clientId":"\#(client)","number":"N-\#(index)","issuedOn":"\#(day)","dueOn":"2026-06-30","amountMinor":\#(300 + index),"currency":"RUB"}"#
            case 23:
                line =
                    #"{"command":"receive-payment","clientId":"\#(client)","receivedOn":"\#(day)","amountMinor":250,"currency":"RUB"}"#
            default:
                line =
                    #"{"command":"record-touch","clientId":"\#(client)","channel":"call","direction":"outbound","occurredAt":"\#(day)T10:00:00Z","summary":"call \#(index)"}"#
            }
            lines.append(Substring(line))
        }
        return lines
    }

    /// Every page of the history for one cut, followed by `next`, checked against the whole
    /// replay of `ClientHistory.read`.
    static func expectPagesMatchTheReplay(
        _ client: UUID, asOf: LocalDate, knownAt: Instant?, in database: TestDatabase, limit: Int = 37
    ) async throws {
        let whole = try await ClientHistory.read(
            client, window: ReportWindow(asOf: asOf, knownAt: knownAt), from: database.store,
            personalData: database.personalData)
        var positions: [Int64] = []
        var after: Int64 = 0
        var pages = 0
        while true {
            let page = try await ClientHistory.page(
                client, asOf: asOf, knownAt: knownAt, after: after, limit: limit, from: database.store,
                personalData: database.personalData, logger: TestDatabase.logger)
            #expect(
                page.state.summary == whole.state.summary,
                "state as of \(asOf), known at \(String(describing: knownAt))")
            #expect(page.entries.count <= limit)
            let expected = whole.entries.dropFirst(positions.count).prefix(limit)
            #expect(page.entries.map(\.recorded.position) == expected.map(\.recorded.position))
            #expect(page.entries.map(\.opened.data) == expected.map(\.opened.data))
            #expect(page.entries.map(\.opened.erasedFields) == expected.map(\.opened.erasedFields))
            positions += page.entries.map(\.recorded.position)
            pages += 1
            guard let next = page.next else { break }
            after = next
        }
        #expect(positions == whole.entries.map(\.recorded.position))
        #expect(pages == max(1, (whole.entries.count + limit - 1) / limit))
    }

    static func snapshots(of client: UUID, in database: TestDatabase) async throws -> [(position: Int64, state: String)]
    {
        try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT position, state FROM client_history_snapshots WHERE client_id = \(client) ORDER BY position"
            ).rows.map { (try $0.decode(0), try $0.decode(1)) }
        }
    }

    @Test func pagesAndStateMatchTheWholeReplayBeforeAndAfterSnapshots() async throws {
        let database = try await TestDatabase.make()
        let importer = BatchedImportTests.importer(database)
        let clientText = UUID().canonical
        let client = UUID(uuidString: clientText)!
        let registration: Substring =
            #"{"command":"register-client","clientId":"\#(clientText)","name":"Long history","kind":"company","registeredOn":"2026-01-01"}"#
        _ = try await importer.load([registration] + Self.story(clientText, from: 0, count: 400))
        let stored = try await ClientHistoryTests.stored(clientText, in: database)
        let midway = try #require(Instant(stored[200].recordedAt))
        let today = Instant(Date()).utcDate
        let cuts: [(LocalDate, Instant?)] = [
            (today, nil), (LocalDate("2026-03-15")!, nil), (today, midway), (LocalDate("2026-02-10")!, midway),
        ]
        for (asOf, knownAt) in cuts {
            try await Self.expectPagesMatchTheReplay(client, asOf: asOf, knownAt: knownAt, in: database)
        }
        // The reads as of today took a snapshot of the whole history (400 events and more), stored
        // before the first of them answered.
        let first = try await Self.snapshots(of: client, in: database)
        #expect(first.count == 1 && first.first?.position == stored.last?.position)
        #expect(
            !(first.first?.state ?? "").contains("Long history") && !(first.first?.state ?? "").contains("Paper"),
            "the snapshot holds the name and titles sealed")

        // Events after the snapshot, some dated after a past cut: the state is the snapshot and the rest.
        _ = try await importer.load(Self.story(clientText, from: 400, count: 300))
        for (asOf, knownAt) in cuts + [(LocalDate("2026-04-20")!, nil)] {
            try await Self.expectPagesMatchTheReplay(client, asOf: asOf, knownAt: knownAt, in: database, limit: 100)
        }
        let second = try await Self.snapshots(of: client, in: database)
        #expect(second.count == 2)

        // A snapshot that does not decode is ignored, deleted and taken again.
        try await database.pool.withConnection { connection in
            try connection.execute(
                "UPDATE client_history_snapshots SET state = '{\"openDeals\": 3}' WHERE client_id = \(client) AND position = \(second[1].position)"
            )
        }
        try await Self.expectPagesMatchTheReplay(client, asOf: today, knownAt: nil, in: database, limit: 1_000)
        #expect(
            try await Self.snapshots(of: client, in: database).allSatisfy { !$0.state.contains("\"openDeals\": 3") })

        // After an erasure the snapshots' sealed name and titles open to nothing.
        _ = try await ClientErasure(store: database.store, personalData: database.personalData).erase(
            client, actor: "admin:test")
        let erased = try await ClientHistory.page(
            client, asOf: today, knownAt: nil, after: 0, limit: 10, from: database.store,
            personalData: database.personalData,
            logger: TestDatabase.logger)
        #expect(erased.state.name == nil && erased.state.openDeals.values.allSatisfy { $0.title == nil })
        #expect(!erased.state.openDeals.isEmpty)
        try await Self.expectPagesMatchTheReplay(client, asOf: today, knownAt: nil, in: database, limit: 500)
    }
}
