import Foundation
import PQ
import Projections
import TestSupport
import Testing

/// A seeded generator, so a failing history can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BB1_3311_EB4B
        return z ^ (z >> 31)
    }
}

@Suite("Determinism")
struct DeterminismTests {
    @Test func liveBatchesEqualARebuildFromScratch() async throws {
        let log = try await SalesLog.make()
        var random = SplitMix64(state: 20_261_123)
        func day(_ offset: Int) -> String {
            LocalDateText.day(offset)
        }
        var clients: [UUID] = []
        var deals: [(UUID, UUID, [String])] = []
        var invoices: [(UUID, UUID, Int64)] = []
        let stages = ["lead", "qualified", "contact", "needs", "offer", "objections", "bargaining", "closing"]
        var appended = 0
        while appended < 3_000 {
            let choice = clients.isEmpty ? 0 : Int.random(in: 0..<10, using: &random)
            let when = Int.random(in: 0..<365, using: &random)
            switch choice {
            case 0:
                let client = UUID()
                clients.append(client)
                try await log.client(client, name: "Client \(clients.count)", registeredOn: day(when))
            case 1:
                let client = clients.randomElement(using: &random)!
                try await log.order(client: client, placedOn: day(when), amount: Int64.random(in: 1...9_999, using: &random))
            case 2:
                let client = clients.randomElement(using: &random)!
                let deal = UUID()
                deals.append((deal, client, ["lead"]))
                try await log.deal(deal, client: client, openedOn: day(when), amount: Int64.random(in: 1...9_999, using: &random))
            case 3 where !deals.isEmpty:
                let index = Int.random(in: 0..<deals.count, using: &random)
                let (deal, client, path) = deals[index]
                let next = stages.filter { $0 != path.last }.randomElement(using: &random)!
                deals[index].2.append(next)
                try await log.move(deal, client: client, from: path.last!, to: next, on: day(when))
            case 4 where !deals.isEmpty:
                let (deal, client, path) = deals.randomElement(using: &random)!
                if Bool.random(using: &random) {
                    try await log.win(deal, client: client, stage: path.last!, on: day(when))
                } else {
                    try await log.lose(
                        deal, client: client, stage: path.last!, on: day(when),
                        refusedBy: Bool.random(using: &random) ? "client" : "us", reason: "r\(Int.random(in: 0..<3, using: &random))")
                }
            case 5 where !deals.isEmpty:
                let (deal, client, _) = deals.randomElement(using: &random)!
                try await log.objection(UUID(), deal: deal, client: client, raisedOn: day(when))
            case 6:
                let client = clients.randomElement(using: &random)!
                let deal = deals.filter { $0.1 == client }.randomElement(using: &random)?.0
                try await log.touch(client: client, deal: deal, at: day(when) + "T12:34:56.123456789Z")
            case 7:
                let client = clients.randomElement(using: &random)!
                let invoice = UUID()
                let amount = Int64.random(in: 100...99_999, using: &random)
                invoices.append((invoice, client, amount))
                try await log.invoice(
                    invoice, client: client, issuedOn: day(when), dueOn: day(when + Int.random(in: 0...60, using: &random)),
                    amount: amount, currency: Bool.random(using: &random) ? "RUB" : "EUR")
            case 8 where !invoices.isEmpty:
                let (invoice, client, amount) = invoices.randomElement(using: &random)!
                let paid = Int64.random(in: 1...amount, using: &random)
                try await log.payment(
                    client: client, receivedOn: day(when), amount: paid + 10, allocations: [(invoice, paid)], unapplied: 10)
            default:
                continue
            }
            appended += 1
            if appended % 250 == 0 { try await log.catchUp(batchSize: Int64.random(in: 1...97, using: &random)) }
        }
        try await log.catchUp(batchSize: 13)
        // All read models rebuilt together: one fill per batch, shared tables computed once, the
        // batches, indexes and swaps shared out between two connections.
        let url = log.database.url
        let outcomes = try await log.query {
            try ProjectionRebuild(projections: Projection.all, batchSize: 1_000, logger: TestDatabase.logger)
                .run(on: $0, helpers: [try Connection(conninfo: url)])
        }
        #expect(outcomes.count == Projection.all.count)
        for (projection, outcome) in zip(Projection.all, outcomes) {
            guard case .swapped(_, _, let matched) = outcome else {
                Issue.record("\(projection.name): \(outcome)")
                continue
            }
            #expect(matched, "\(projection.name)")
        }
    }
}

/// Dates counted from 2026-01-01.
enum LocalDateText {
    static func day(_ offset: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 2026, month: 1, day: 1))!
        let date = calendar.date(byAdding: .day, value: offset, to: start)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
