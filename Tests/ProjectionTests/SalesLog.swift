import Access
import EventStore
import Foundation
import JSON
import PQ
import Projections
import Sales
import TestSupport
import Testing

/// Appends catalogue events (raw payloads of `docs/events.md`) to a test
/// database and brings the read models up to date.
struct SalesLog {
    let database: TestDatabase

    /// The data keys of the log's clients.
    var personalData: PersonalDataKeys { database.personalData }

    static func make() async throws -> SalesLog {
        SalesLog(database: try await TestDatabase.make())
    }

    /// Appends one event to its stream; returns its position.
    @discardableResult
    func append(
        _ type: String, stream: String, client: UUID?, schemaVersion: Int = 1, _ payload: [String: Any]
    ) async throws -> Int64 {
        let data = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        let result = try await database.store.append(
            to: try StreamID(stream), expected: .any,
            events: [
                NewEvent(
                    type: type, schemaVersion: schemaVersion, data: String(decoding: data, as: UTF8.self),
                    metadata: EventMetadata(actor: "test"), occurredAt: "2026-01-01T00:00:00Z")
            ], clientID: client)
        return result.positions[0]
    }

    func client(_ id: UUID, name: String, registeredOn: String) async throws {
        try await append(
            "ClientRegistered", stream: "client-\(id.lower)", client: id,
            ["clientId": id.lower, "name": name, "kind": "company", "registeredOn": registeredOn])
    }

    func invoice(
        _ id: UUID, client: UUID, issuedOn: String, dueOn: String, amount: Int64, currency: String = "RUB"
    )
        async throws
    {
        try await append(
            "InvoiceIssued", stream: "receivables-\(client.lower)", client: client,
            [
                "invoiceId": id.lower, "clientId": client.lower, "number": "INV-\(id.lower.prefix(8))",
                "issuedOn": issuedOn, "dueOn": dueOn, "amountMinor": amount, "currency": currency,
            ])
    }

    func payment(
        client: UUID, receivedOn: String, amount: Int64, currency: String = "RUB", allocations: [(UUID, Int64)],
        unapplied: Int64 = 0
    ) async throws {
        try await append(
            "PaymentReceived", stream: "receivables-\(client.lower)", client: client,
            [
                "paymentId": UUID().lower, "clientId": client.lower, "receivedOn": receivedOn, "amountMinor": amount,
                "currency": currency, "unappliedMinor": unapplied,
                "allocations": allocations.map { ["invoiceId": $0.0.lower, "amountMinor": $0.1] },
            ])
    }

    func creditNote(invoice: UUID, client: UUID, issuedOn: String, amount: Int64, currency: String = "RUB") async throws
    {
        try await append(
            "CreditNoteIssued", stream: "receivables-\(client.lower)", client: client,
            [
                "creditNoteId": UUID().lower, "invoiceId": invoice.lower, "clientId": client.lower,
                "issuedOn": issuedOn,
                "amountMinor": amount, "currency": currency, "reason": "goodwill",
            ])
    }

    func writeOff(invoice: UUID, client: UUID, on day: String, amount: Int64, currency: String = "RUB") async throws {
        try await append(
            "InvoiceWrittenOff", stream: "receivables-\(client.lower)", client: client,
            [
                "invoiceId": invoice.lower, "clientId": client.lower, "writtenOffOn": day, "amountMinor": amount,
                "currency": currency, "reason": "bankrupt",
            ])
    }

    func deal(
        _ id: UUID, client: UUID, openedOn: String, amount: Int64, currency: String = "RUB", pipeline: String = "sales"
    ) async throws {
        try await append(
            "DealOpened", stream: "deal-\(id.lower)", client: client,
            [
                "dealId": id.lower, "clientId": client.lower, "pipeline": pipeline, "stage": "lead",
                "title": "Deal \(id.lower.prefix(4))", "amountMinor": amount, "currency": currency,
                "openedOn": openedOn,
            ])
    }

    func move(_ deal: UUID, client: UUID, from: String, to stage: String, on day: String) async throws {
        try await append(
            "DealStageMoved", stream: "deal-\(deal.lower)", client: client,
            ["dealId": deal.lower, "clientId": client.lower, "from": from, "stage": stage, "movedOn": day])
    }

    func win(_ deal: UUID, client: UUID, stage: String, on day: String) async throws {
        try await append(
            "DealWon", stream: "deal-\(deal.lower)", client: client,
            ["dealId": deal.lower, "clientId": client.lower, "stage": stage, "wonOn": day])
    }

    func lose(
        _ deal: UUID, client: UUID, stage: String, on day: String, refusedBy: String, reason: String
    )
        async throws
    {
        try await append(
            "DealLost", stream: "deal-\(deal.lower)", client: client,
            [
                "dealId": deal.lower, "clientId": client.lower, "stage": stage, "lostOn": day, "refusedBy": refusedBy,
                "reason": reason,
            ])
    }

    func objection(_ id: UUID, deal: UUID, client: UUID, raisedOn: String, category: String = "price") async throws {
        try await append(
            "ObjectionRaised", stream: "deal-\(deal.lower)", client: client,
            [
                "objectionId": id.lower, "dealId": deal.lower, "clientId": client.lower, "category": category,
                "raisedOn": raisedOn,
            ])
    }

    func offer(deal: UUID, client: UUID, on day: String, amount: Int64, currency: String = "RUB") async throws {
        try await append(
            "OfferMade", stream: "deal-\(deal.lower)", client: client,
            [
                "offerId": UUID().lower, "dealId": deal.lower, "clientId": client.lower, "amountMinor": amount,
                "currency": currency, "offeredOn": day,
            ])
    }

    func handle(_ objection: UUID, deal: UUID, client: UUID, on day: String, resolved: Bool = true) async throws {
        try await append(
            "ObjectionHandled", stream: "deal-\(deal.lower)", client: client,
            [
                "objectionId": objection.lower, "dealId": deal.lower, "clientId": client.lower, "handledOn": day,
                "resolved": resolved,
            ])
    }

    /// An assessment of `deal` on `day` knowing the criteria given (a problem, a decision date, a
    /// budget); the others are left out, as the log leaves out unknown ones.
    func qualify(
        _ deal: UUID, client: UUID, on day: String, problem: Bool = true, decisionBy: Bool = true, budget: Bool = true
    ) async throws {
        var payload: [String: Any] = ["dealId": deal.lower, "clientId": client.lower, "assessedOn": day]
        if problem { payload["problem"] = "their problem" }
        if decisionBy { payload["decisionBy"] = "2026-12-01" }
        if budget {
            payload["budgetMinor"] = 100_000
            payload["currency"] = "RUB"
        }
        try await append("DealQualified", stream: "deal-\(deal.lower)", client: client, payload)
    }

    func touch(client: UUID, deal: UUID? = nil, at instant: String) async throws {
        var payload: [String: Any] = [
            "touchId": UUID().lower, "clientId": client.lower, "channel": "call", "direction": "outbound",
            "occurredAt": instant,
        ]
        if let deal { payload["dealId"] = deal.lower }
        try await append("TouchRecorded", stream: "client-\(client.lower)", client: client, payload)
    }

    func order(client: UUID, placedOn: String, amount: Int64, currency: String = "RUB") async throws {
        try await append(
            "OrderPlaced", stream: "client-\(client.lower)", client: client,
            [
                "orderId": UUID().lower, "clientId": client.lower, "placedOn": placedOn, "amountMinor": amount,
                "currency": currency,
            ])
    }

    /// Applies every committed event to every live read model.
    func catchUp(batchSize: Int64 = 5_000) async throws {
        try await database.pool.withConnection { connection in
            for projection in Projection.all {
                while try ProjectionRegistry.applyNextBatch(
                    projection, batchSize: batchSize, personalData: database.personalData, on: connection) > 0
                {}
            }
        }
    }

    /// Rebuilds every read model together on two connections, in batches of `batchSize`
    /// positions, and expects each to be swapped in with a checksum equal to the live one's.
    func rebuildAllExpectingMatches(batchSize: Int64) async throws {
        let url = database.url
        let outcomes = try await query {
            try ProjectionRebuild(
                projections: Projection.all, batchSize: batchSize, personalData: database.personalData,
                logger: TestDatabase.logger
            )
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

    /// The database clock now, as an instant text.
    func now() async throws -> String {
        try await database.pool.withConnection { connection in
            try connection.query("SELECT format_instant(clock_timestamp())").first?.decode(0) ?? ""
        }
    }

    @discardableResult
    func query<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await database.pool.withConnection(body)
    }
}

extension UUID {
    var lower: String { uuidString.lowercased() }

    /// A UUID whose order is its number (for predictable tie-breaks).
    static func numbered(_ number: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", number))!
    }
}

extension SalesLog {
    /// Appends `events` random catalogue events over the 365 days from 2026-01-01, dated in any
    /// order (so many are back-dated behind later ones), catching the read models up every 250
    /// events in batches of random size unless a runner keeps them (`catchingUp` false).
    func appendRandomHistory(events: Int, catchingUp: Bool = true, using random: inout SplitMix64) async throws {
        var clients: [UUID] = []
        var deals: [(UUID, UUID, [String])] = []
        var invoices: [(UUID, UUID, Int64)] = []
        var objections: [(objection: UUID, deal: UUID, client: UUID)] = []
        let stages = ["lead", "qualified", "contact", "needs", "offer", "objections", "bargaining", "closing"]
        var appended = 0
        while appended < events {
            let choice = clients.isEmpty ? 0 : Int.random(in: 0..<13, using: &random)
            let when = Int.random(in: 0..<365, using: &random)
            let day = LocalDateText.day(when)
            switch choice {
            case 0:
                let client = UUID()
                clients.append(client)
                try await self.client(client, name: "Client \(clients.count)", registeredOn: day)
            case 1:
                let client = clients.randomElement(using: &random)!
                try await order(client: client, placedOn: day, amount: Int64.random(in: 1...9_999, using: &random))
            case 2:
                let client = clients.randomElement(using: &random)!
                let deal = UUID()
                deals.append((deal, client, ["lead"]))
                try await self.deal(
                    deal, client: client, openedOn: day, amount: Int64.random(in: 1...9_999, using: &random))
            case 3 where !deals.isEmpty:
                let index = Int.random(in: 0..<deals.count, using: &random)
                let (deal, client, path) = deals[index]
                let next = stages.filter { $0 != path.last }.randomElement(using: &random)!
                deals[index].2.append(next)
                try await move(deal, client: client, from: path.last!, to: next, on: day)
            case 4 where !deals.isEmpty:
                let (deal, client, path) = deals.randomElement(using: &random)!
                if Bool.random(using: &random) {
                    try await win(deal, client: client, stage: path.last!, on: day)
                } else {
                    try await lose(
                        deal, client: client, stage: path.last!, on: day,
                        refusedBy: Bool.random(using: &random) ? "client" : "us",
                        reason: "r\(Int.random(in: 0..<3, using: &random))")
                }
            case 5 where !deals.isEmpty:
                let (deal, client, _) = deals.randomElement(using: &random)!
                let objection = UUID()
                objections.append((objection, deal, client))
                try await self.objection(
                    objection, deal: deal, client: client, raisedOn: day,
                    category: ObjectionCategory.allCases.randomElement(using: &random)!.rawValue)
            case 6:
                let client = clients.randomElement(using: &random)!
                let deal = deals.filter { $0.1 == client }.randomElement(using: &random)?.0
                try await touch(client: client, deal: deal, at: day + "T12:34:56.123456789Z")
            case 7:
                let client = clients.randomElement(using: &random)!
                let invoice = UUID()
                let amount = Int64.random(in: 100...99_999, using: &random)
                invoices.append((invoice, client, amount))
                try await self.invoice(
                    invoice, client: client, issuedOn: day,
                    dueOn: LocalDateText.day(when + Int.random(in: 0...60, using: &random)),
                    amount: amount, currency: Bool.random(using: &random) ? "RUB" : "EUR")
            case 8 where !invoices.isEmpty:
                let (invoice, client, amount) = invoices.randomElement(using: &random)!
                let paid = Int64.random(in: 1...amount, using: &random)
                try await payment(
                    client: client, receivedOn: day, amount: paid + 10, allocations: [(invoice, paid)], unapplied: 10)
            case 9 where !objections.isEmpty:
                // One outcome per objection, as the deal's decider allows (the board counts an
                // objection open by raised minus handled).
                let (objection, deal, client) = objections.remove(
                    at: Int.random(in: 0..<objections.count, using: &random))
                try await handle(objection, deal: deal, client: client, on: day, resolved: Bool.random(using: &random))
            case 10 where !invoices.isEmpty:
                let (invoice, client, amount) = invoices.randomElement(using: &random)!
                try await promise(
                    invoice: invoice, client: client, madeOn: day,
                    promisedOn: LocalDateText.day(when + Int.random(in: 0...30, using: &random)),
                    amount: Int64.random(in: 1...amount, using: &random))
            case 11 where !invoices.isEmpty:
                let (invoice, client, _) = invoices.randomElement(using: &random)!
                try await reminder(
                    invoice: invoice, client: client, sentOn: day, level: Int.random(in: 1...3, using: &random))
            case 12 where !deals.isEmpty:
                // An assessment knowing some of the three criteria (all of them half the time).
                let (deal, client, _) = deals.randomElement(using: &random)!
                let all = Bool.random(using: &random)
                try await qualify(
                    deal, client: client, on: day, problem: all || Bool.random(using: &random),
                    decisionBy: all || Bool.random(using: &random), budget: all || Bool.random(using: &random))
            default:
                continue
            }
            appended += 1
            if catchingUp, appended % 250 == 0 {
                try await catchUp(batchSize: Int64.random(in: 1...97, using: &random))
            }
        }
    }
}
