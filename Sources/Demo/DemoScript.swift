import Foundation
import HexText
public import JSON
public import Sales

/// A deterministic set of realistic demo commands, as lines of `touchstone import`: a few dozen
/// clients in RUB, EUR and USD, deals moved through the stages with offers, objections and
/// concessions, leads assessed by problem, time and money (qualified, not yet, and reassessed),
/// wins and losses (refused by the client and by us), orders, invoices, full and partial payments,
/// credit notes and a write-off, reminders of every level and promises to pay kept, broken and
/// open, all dated in the months before `today`.
///
/// The same `seed` and `today` always give the same lines (ids included), so a second run of the
/// same script is refused as already recorded.
public struct DemoScript: Sendable {
    /// How many clients the script registers.
    public let clientCount: Int
    /// The seed of the ids and amounts.
    public let seed: UInt64
    /// The day the story ends.
    public let today: LocalDate

    /// A script of `clientCount` clients ending on `today`.
    public init(clientCount: Int = 36, seed: UInt64 = 2026, today: LocalDate) {
        self.clientCount = clientCount
        self.seed = seed
        self.today = today
    }

    private static let companies = [
        "Северсталь-Снаб", "Nordlicht GmbH", "Blue Harbor Inc.", "Уральские Машины", "Atelier Lumière",
        "Pinecrest Labs", "ТехноПарк Восток", "Rheinwerk AG", "Summit Freight LLC", "Волжский Хлеб",
    ]
    private static let people = [
        "Анна Смирнова", "Jonas Weber", "Emily Carter", "Игорь Петров", "Claire Dubois", "Marco Rossi",
        "Ольга Иванова", "Lukas Braun", "Sophie Martin", "Дмитрий Козлов",
    ]
    private static let currencies = ["RUB", "EUR", "USD"]
    private static let objectionCategories = ["price", "no-need", "has-supplier", "no-budget", "not-now", "other"]

    /// The lines, in the order they must be loaded.
    public func lines() -> [JSONValue] {
        var random = SplitMix64(seed: seed)
        var lines = [JSONValue]()
        var invoiceNumber = 0
        lines.append(
            .object([
                "command": .string("define-pipeline"), "name": .string("partners"),
                "stages": .array(["lead", "pilot", "contract"].map(JSONValue.string)),
            ]))
        for index in 0..<clientCount {
            let clientId = random.uuid()
            let currency = Self.currencies[index % Self.currencies.count]
            let isCompany = index % 3 != 2
            let name =
                isCompany
                ? Self.companies[index % Self.companies.count] + " \(index / Self.companies.count + 1)"
                : Self.people[index % Self.people.count]
            let registeredOn = day(-220 + index)
            lines.append(
                .object(omittingNil: [
                    "command": .string("register-client"), "clientId": .string(clientId.canonical),
                    "name": .string(name),
                    "kind": .string(isCompany ? "company" : "person"),
                    "email": .string("contact\(index)@example.com"),
                    "source": .string(["website", "referral", "exhibition", "cold-call"][index % 4]),
                    "temperature": .string(index % 2 == 0 ? "warm" : "cold"),
                    "registeredOn": .string(registeredOn.description),
                ]))
            lines.append(
                touch(random.uuid(), clientId: clientId, dealId: nil, on: registeredOn.adding(days: 1), index: index))
            let dealId = random.uuid()
            let amount = Int64(random.next(in: 500...50_000)) * 100
            let openedOn = registeredOn.adding(days: 5) ?? registeredOn
            let pipeline = index % 9 == 8 ? "partners" : "sales"
            lines.append(
                .object([
                    "command": .string("open-deal"), "dealId": .string(dealId.canonical),
                    "clientId": .string(clientId.canonical),
                    "title": .string("Supply contract \(index + 1)"), "amountMinor": .integer(amount),
                    "currency": .string(currency), "openedOn": .string(openedOn.description),
                    "pipeline": .string(pipeline),
                ]))
            lines.append(
                touch(random.uuid(), clientId: clientId, dealId: dealId, on: openedOn.adding(days: 2), index: index))
            let stages = pipeline == "partners" ? ["pilot", "contract"] : Array(Pipeline.sales.stages.dropFirst())
            let reached = 1 + index % stages.count
            var date = openedOn
            for stage in stages.prefix(reached) {
                date = date.adding(days: Int(random.next(in: 3...7))) ?? date
                lines.append(
                    .object([
                        "command": .string("move-deal-stage"), "dealId": .string(dealId.canonical),
                        "stage": .string(stage),
                        "movedOn": .string(date.description),
                    ]))
                lines.append(
                    contentsOf: qualification(
                        at: stage, dealId: dealId, amount: amount, currency: currency, on: date, index: index))
                // The fifth client's deal meets six objections before it is won (seed 003: professionals
                // close after the 5th–6th objection).
                lines.append(
                    contentsOf: stageWork(
                        stage, dealId: dealId, amount: amount, currency: currency, on: date,
                        objections: index == 4 ? 6 : 1,
                        random: &random))
            }
            date = date.adding(days: 4) ?? date
            switch index % 4 {
            case let variant where variant == 0 || (variant == 3 && reached >= 4):
                lines.append(
                    .object([
                        "command": .string("win-deal"), "dealId": .string(dealId.canonical),
                        "wonOn": .string(date.description),
                    ]))
                lines.append(
                    contentsOf: purchases(
                        clientId: clientId, dealId: dealId, amount: amount, currency: currency, wonOn: date,
                        variant: index / 4, invoiceNumber: &invoiceNumber, random: &random))
            case 1:
                lines.append(
                    .object([
                        "command": .string("lose-deal"), "dealId": .string(dealId.canonical),
                        "lostOn": .string(date.description),
                        "refusedBy": .string("client"),
                        "reason": .string(["chose a competitor", "no budget this year"][index % 2]),
                    ]))
            case 2:
                lines.append(
                    .object([
                        "command": .string("lose-deal"), "dealId": .string(dealId.canonical),
                        "lostOn": .string(date.description),
                        "refusedBy": .string("us"), "reason": .string("payment terms unacceptable"),
                        "criteria": .string("no prepayment, 120 days deferral requested"),
                    ]))
            default:
                break
            }
            if index % 5 == 0 {
                lines.append(
                    touch(random.uuid(), clientId: clientId, dealId: nil, on: day(-(index % 25)), index: index))
            }
        }
        return lines
    }

    /// The lead's assessment by problem, time and money (seed: qualification), without drawing on
    /// the random numbers, so the rest of the story stays the same: on entering `qualified`, a
    /// third of the leads are assessed knowing all three criteria, a third without the budget
    /// (assessed again with it on entering `needs`), and a third never.
    private func qualification(
        at stage: String, dealId: UUID, amount: Int64, currency: String, on date: LocalDate, index: Int
    ) -> [JSONValue] {
        let budgetKnown: Bool
        switch (stage, index % 3) {
        case ("qualified", 0): budgetKnown = true
        case ("qualified", 1): budgetKnown = false
        case ("needs", 1): budgetKnown = true
        default: return []
        }
        return [
            .object(omittingNil: [
                "command": .string("qualify-deal"), "dealId": .string(dealId.canonical),
                "assessedOn": .string(date.description),
                "problem": .string("Deliveries arrive late and stock runs out"),
                "decisionBy": .string((date.adding(days: 45) ?? date).description),
                "budgetMinor": budgetKnown ? .integer(amount) : nil, "currency": budgetKnown ? .string(currency) : nil,
            ])
        ]
    }

    private func day(_ offset: Int) -> LocalDate {
        today.adding(days: offset) ?? today
    }

    private func touch(_ touchId: UUID, clientId: UUID, dealId: UUID?, on date: LocalDate?, index: Int) -> JSONValue {
        let date = min(date ?? today, today)
        return .object(omittingNil: [
            "command": .string("record-touch"), "clientId": .string(clientId.canonical),
            "touchId": .string(touchId.canonical),
            "dealId": dealId.map { .string($0.canonical) },
            "channel": .string(["call", "email", "meeting", "message", "visit"][index % 5]),
            "direction": .string(index % 2 == 0 ? "outbound" : "inbound"),
            "occurredAt": .string("\(date)T10:\(10 + index % 50):00Z"),
            "summary": .string("Discussed needs and next steps"), "nextStep": .string("Send a proposal"),
        ])
    }

    private func stageWork(
        _ stage: String, dealId: UUID, amount: Int64, currency: String, on date: LocalDate, objections: Int,
        random: inout SplitMix64
    ) -> [JSONValue] {
        switch stage {
        case "offer":
            return [
                .object([
                    "command": .string("make-offer"), "dealId": .string(dealId.canonical),
                    "offerId": .string(random.uuid().canonical),
                    "amountMinor": .integer(amount), "currency": .string(currency),
                    "offeredOn": .string(date.description),
                    "validUntil": .string((date.adding(days: 30) ?? date).description),
                    "terms": .string("50% prepayment"),
                ])
            ]
        case "objections":
            // The first objection with the client's words and our response; any further ones by
            // their category alone.
            var lines = [JSONValue]()
            for number in 0..<objections {
                let objectionId = random.uuid()
                let category = Self.objectionCategories[Int(random.next(in: 0...5))]
                lines.append(
                    .object(omittingNil: [
                        "command": .string("raise-objection"), "dealId": .string(dealId.canonical),
                        "objectionId": .string(objectionId.canonical), "category": .string(category),
                        "raisedOn": .string(date.description),
                        "text": number == 0 ? .string("Too expensive compared to what we pay now") : nil,
                    ]))
                lines.append(
                    .object(omittingNil: [
                        "command": .string("handle-objection"), "dealId": .string(dealId.canonical),
                        "objectionId": .string(objectionId.canonical), "handledOn": .string(date.description),
                        "resolved": .bool(random.next(in: 0...2) > 0),
                        "response": number == 0 ? .string("Showed the total cost of ownership") : nil,
                    ]))
            }
            return lines
        case "bargaining":
            return [
                .object([
                    "command": .string("agree-concession"), "dealId": .string(dealId.canonical),
                    "given": .string("5% discount"),
                    "inReturn": .string("a two-year contract"), "agreedOn": .string(date.description),
                ]),
                .object([
                    "command": .string("make-offer"), "dealId": .string(dealId.canonical),
                    "offerId": .string(random.uuid().canonical),
                    "amountMinor": .integer(amount / 100 * 95), "currency": .string(currency),
                    "offeredOn": .string(date.description),
                ]),
            ]
        default:
            return []
        }
    }

    private func purchases(
        clientId: UUID, dealId: UUID, amount: Int64, currency: String, wonOn: LocalDate, variant: Int,
        invoiceNumber: inout Int, random: inout SplitMix64
    ) -> [JSONValue] {
        var lines = [JSONValue]()
        func invoice(on date: LocalDate, amount: Int64, orderId: UUID) -> UUID {
            invoiceNumber += 1
            let invoiceId = random.uuid()
            lines.append(
                .object([
                    "command": .string("issue-invoice"), "invoiceId": .string(invoiceId.canonical),
                    "clientId": .string(clientId.canonical), "number": .string("DEMO-\(seed)-\(invoiceNumber)"),
                    "issuedOn": .string(date.description),
                    "dueOn": .string((date.adding(days: 30) ?? date).description),
                    "amountMinor": .integer(amount), "currency": .string(currency),
                    "orderId": .string(orderId.canonical),
                ]))
            return invoiceId
        }
        func order(on date: LocalDate, amount: Int64) -> UUID {
            let orderId = random.uuid()
            lines.append(
                .object([
                    "command": .string("place-order"), "clientId": .string(clientId.canonical),
                    "orderId": .string(orderId.canonical),
                    "dealId": .string(dealId.canonical), "placedOn": .string(date.description),
                    "amountMinor": .integer(amount), "currency": .string(currency),
                ]))
            return orderId
        }
        func payment(on date: LocalDate, amount: Int64) {
            lines.append(
                .object([
                    "command": .string("receive-payment"), "clientId": .string(clientId.canonical),
                    "paymentId": .string(random.uuid().canonical), "receivedOn": .string(min(date, today).description),
                    "amountMinor": .integer(amount), "currency": .string(currency),
                ]))
        }
        let first = invoice(on: wonOn, amount: amount, orderId: order(on: wonOn, amount: amount))
        let due = wonOn.adding(days: 30) ?? wonOn
        lines.append(contentsOf: collections(invoiceId: first, amount: amount, dueOn: due, variant: variant))
        switch variant % 4 {
        case 0:
            payment(on: due.adding(days: -5) ?? due, amount: amount)
        case 1:
            payment(on: due.adding(days: 10) ?? due, amount: amount / 2)
        case 2:
            let credit = amount / 10
            lines.append(
                .object([
                    "command": .string("issue-credit-note"), "invoiceId": .string(first.canonical),
                    "creditNoteId": .string(random.uuid().canonical),
                    "issuedOn": .string((wonOn.adding(days: 3) ?? wonOn).description),
                    "amountMinor": .integer(credit), "reason": .string("Late delivery of the second batch"),
                ]))
            payment(on: due, amount: amount - credit)
        default:
            payment(on: due.adding(days: 20) ?? due, amount: amount * 3 / 10)
            lines.append(
                .object([
                    "command": .string("write-off-invoice"), "invoiceId": .string(first.canonical),
                    "writtenOffOn": .string((due.adding(days: 60) ?? due).description),
                    "reason": .string("Client insolvent; claim filed with the administrator"),
                ]))
        }
        if variant % 2 == 0 {
            let repeatOn = wonOn.adding(days: 45) ?? wonOn
            let repeatAmount = amount / 2
            _ = invoice(on: repeatOn, amount: repeatAmount, orderId: order(on: repeatOn, amount: repeatAmount))
            payment(on: repeatOn.adding(days: 40) ?? repeatOn, amount: repeatAmount + 10_000)
        }
        return lines
    }
}

/// The SplitMix64 generator: small, fast and the same on every platform, so a seed always gives
/// the same demo.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// A version-4 UUID from the generator.
    mutating func uuid() -> UUID {
        let high = next()
        let low = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * (7 - index)))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * (7 - index)))
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
