import Foundation
import HexText
import JSON
import PQ
import Sales
import TestSupport
import Testing

@testable import Projections

/// The clients directory against an independent computation of the contract: every client once,
/// in code point order of the lowercased name then id, `q` as a substring of the lowercased name,
/// the figures as of today, on pages of every size; and live batches equal a rebuild.
@Suite("Clients directory")
struct ClientDirectoryTests {
    /// Names that tie once lowercased, differ only in case, hold LIKE's special characters, or
    /// are written in Cyrillic and Greek.
    static let names = [
        "ООО Ромашка", "ооо ромашка", "Марія Шевченко", "МАРІЯ", "Acme", "ACME", "acme_1", "acme%2", "Ἀθῆναι AE",
        "Zeta", "zeta", "Ümit Öz", "ümit", "Straße GmbH", "STRASSE", "a\\b",
    ]

    @Test func pagesAndSearchesMatchTheContractOnManyClients() async throws {
        let log = try await SalesLog.make()
        let today = Instant(Date()).utcDate
        let day = { (offset: Int) in today.adding(days: offset)!.description }
        var expected: [(id: UUID, name: String, touch: String?, open: Int)] = []
        for number in 0..<64 {
            let id = UUID.numbered(1_000 + number)
            let name = Self.names[number % Self.names.count] + (number < Self.names.count ? "" : " \(number % 5)")
            try await log.client(id, name: name, registeredOn: "2026-01-01")
            var touch: String?
            if number % 3 == 0 {
                try await log.touch(client: id, at: day(-number) + "T08:00:00Z")
                try await log.touch(client: id, at: day(number + 1) + "T08:00:00Z")
                touch = day(-number)
            }
            var open = 0
            if number % 4 == 0 {
                let (kept, lost, later) = (UUID(), UUID(), UUID())
                try await log.deal(kept, client: id, openedOn: day(-10), amount: 100)
                try await log.deal(lost, client: id, openedOn: day(-10), amount: 100)
                try await log.lose(lost, client: id, stage: "lead", on: day(-1), refusedBy: "client", reason: "no")
                try await log.deal(later, client: id, openedOn: day(2), amount: 100)
                open = 1
            }
            if number % 7 == 0 {
                let (wonLater) = UUID()
                try await log.deal(wonLater, client: id, openedOn: day(-3), amount: 100)
                try await log.win(wonLater, client: id, stage: "lead", on: day(1))
                open += 1
            }
            expected.append((id, name, touch, open))
        }
        // A client registered twice counts by its latest registration.
        let renamed = expected[5].id
        try await log.client(renamed, name: "Renamed Ω", registeredOn: "2026-01-02")
        expected[5].name = "Renamed Ω"
        try await log.catchUp(batchSize: 11)

        let sorted = expected.sorted {
            let (left, right) = (
                Array($0.name.lowercased().unicodeScalars.map(\.value)),
                Array($1.name.lowercased().unicodeScalars.map(\.value))
            )
            return left != right ? left.lexicographicallyPrecedes(right) : $0.id.canonical < $1.id.canonical
        }
        // A `q` whose matches are sorted, and (with at most 2 sorted) one that walks the name order.
        let ways = [ClientDirectory.sortedMatchesLimit, 2]
        for q in [nil, "ром", "МАР", "acme", "_", "%", "\\", "ß", "ümit", "Ω", "ἀθῆ", " 3", "nothing"] as [String?] {
            let wanted = sorted.filter { q == nil || $0.name.lowercased().contains(q!.lowercased()) }
            for limit in [1, 5, 64] {
                for sortingAtMost in ways {
                    var rows: [ClientDirectory.Entry] = []
                    var cursor: String?
                    repeat {
                        let after = cursor
                        let page = try await log.query { connection in
                            try ClientDirectory.query(
                                ClientDirectory.Filter(q: q), limit: limit, cursor: after, today: today,
                                sortingAtMost: sortingAtMost, personalData: log.personalData, on: connection)
                        }
                        #expect(page.clients.count <= limit)
                        rows += page.clients
                        cursor = page.next
                    } while cursor != nil
                    #expect(
                        rows.map(\.clientId) == wanted.map(\.id),
                        "q=\(q ?? "-") limit=\(limit) sorting at most \(sortingAtMost)")
                    #expect(
                        rows.map(\.name) == wanted.map(\.name),
                        "q=\(q ?? "-") limit=\(limit) sorting at most \(sortingAtMost)")
                    #expect(rows.map { $0.lastTouchOn?.description } == wanted.map(\.touch), "q=\(q ?? "-")")
                    #expect(rows.map(\.openDeals) == wanted.map(\.open), "q=\(q ?? "-")")
                }
            }
        }
        let old = try await log.query { connection in
            try ClientDirectory.query(
                ClientDirectory.Filter(q: Self.names[5]), personalData: log.personalData, on: connection)
        }
        #expect(!old.clients.contains { $0.clientId == renamed }, "the earlier name is not searched")
        let entry = try await log.query { connection in
            try ClientDirectory.entry(renamed, today: today, personalData: log.personalData, on: connection)
        }
        #expect(entry?.name == "Renamed Ω")
        // The live tables, filled batch by batch, equal a rebuild from scratch.
        try await log.rebuildAllExpectingMatches(batchSize: 17)
    }

    @Test func aQueryOverTwoHundredCharactersOrAnUnknownTemperatureIsRefused() throws {
        #expect(throws: ProjectionError.invalidParameter(field: "q", message: "must be at most 200 characters")) {
            try ClientDirectory.Filter(q: String(repeating: "ä", count: 201))
        }
        #expect(
            try ClientDirectory.Filter(q: String(repeating: "Ä", count: 200)).query
                == String(repeating: "ä", count: 200))
        #expect(try ClientDirectory.Filter(q: "").query == nil)
        #expect(throws: ProjectionError.self) { try ClientDirectory.Filter(temperature: "hot") }
    }
}
