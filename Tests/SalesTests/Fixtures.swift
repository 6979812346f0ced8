import Foundation
import JSON
import Testing

@testable import Sales

/// Shorthands shared by the tests: values, ids, JSON bodies, and the outcome of a decision.
enum Fixture {
    static let rub = Currency(code: "RUB")!
    static let usd = Currency(code: "USD")!
    static let eur = Currency(code: "EUR")!
    static let jpy = Currency(code: "JPY")!

    static let client = id(1)
    static let otherClient = id(2)
    static let deal = id(10)
    static let otherDeal = id(11)

    /// A fixed UUID whose last group is `number`.
    static func id(_ number: Int) -> UUID {
        let digits = String(number)
        return UUID(uuidString: "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits)!
    }

    static func day(_ text: String) -> LocalDate {
        LocalDate(text)!
    }

    static func instant(_ text: String) -> Instant {
        Instant(text)!
    }

    /// Parses a JSON text that the test itself wrote.
    static func json(_ text: String) -> JSONValue {
        try! JSONValue(parsing: Data(text.utf8))
    }

    /// A `makeID` that always answers `uuid`.
    static func always(_ uuid: UUID) -> () -> UUID {
        { uuid }
    }

    static func fold<State>(
        _ events: [SalesEvent], from initial: State, _ evolve: (State, SalesEvent) -> State
    ) -> State {
        events.reduce(initial, evolve)
    }

    // MARK: events

    static func registered(_ clientId: UUID = client, on date: String = "2026-01-10") -> SalesEvent {
        ClientRegistered(clientId: clientId, name: "ООО Ромашка", kind: .company, registeredOn: day(date)).event
    }

    static func opened(
        _ dealId: UUID = deal, client clientId: UUID = client, on date: String = "2026-02-01",
        amountMinor: Int64 = 100_000, currency: Currency = rub, pipeline: String = "sales"
    ) -> SalesEvent {
        DealOpened(
            dealId: dealId, clientId: clientId, pipeline: pipeline, stage: "lead", title: "Поставка бумаги",
            amountMinor: amountMinor, currency: currency, openedOn: day(date)
        ).event
    }

    static func moved(_ dealId: UUID = deal, from: String, to stage: String, on date: String) -> SalesEvent {
        DealStageMoved(dealId: dealId, clientId: client, from: from, stage: stage, movedOn: day(date)).event
    }

    static func invoice(
        _ invoiceId: UUID, number: String, issued: String = "2026-03-01", due: String = "2026-03-31",
        amountMinor: Int64 = 10_000, currency: Currency = rub, client clientId: UUID = client
    ) -> SalesEvent {
        InvoiceIssued(
            invoiceId: invoiceId, clientId: clientId, number: number, issuedOn: day(issued), dueOn: day(due),
            amountMinor: amountMinor, currency: currency
        ).event
    }

    static func payment(
        _ paymentId: UUID, received: String = "2026-03-10", amountMinor: Int64, currency: Currency = rub,
        allocations: [Allocation], unappliedMinor: Int64 = 0
    ) -> SalesEvent {
        PaymentReceived(
            paymentId: paymentId, clientId: client, receivedOn: day(received), amountMinor: amountMinor,
            currency: currency,
            allocations: allocations, unappliedMinor: unappliedMinor
        ).event
    }
}

/// The rule violation `decision` throws, or nil when it decides events.
func violation(_ decision: () throws -> [SalesEvent]) -> SalesRuleViolation? {
    do {
        _ = try decision()
        return nil
    } catch let violation as SalesRuleViolation {
        return violation
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// The validation failure `parsing` throws, or nil when the body is valid.
func failure<Command>(_ parsing: () throws -> Command) -> ValidationFailure? {
    do {
        _ = try parsing()
        return nil
    } catch let failure as ValidationFailure {
        return failure
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

extension ValidationFailure {
    /// The message for `field`, when there is exactly one.
    func message(for field: String) -> String? {
        let messages = errors.filter { $0.field == field }.map(\.message)
        return messages.count == 1 ? messages[0] : nil
    }

    /// The names of the fields with errors, in order.
    var fields: [String] { errors.map(\.field) }
}
