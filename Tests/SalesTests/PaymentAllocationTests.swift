import Foundation
import JSON
import Testing

@testable import Sales

/// The allocation rule of the contract, given invoices, when a payment is received, then the
/// allocations and the unapplied remainder written into `PaymentReceived`.
@Suite("Payment allocation")
struct PaymentAllocationTests {
    let client = Fixture.fold([Fixture.registered()], from: Client.initialState, Client.evolve)
    let a = Fixture.id(51), b = Fixture.id(52), c = Fixture.id(53), d = Fixture.id(54)

    func state(_ events: [SalesEvent]) -> ReceivablesState {
        Fixture.fold(events, from: Receivables.initialState, Receivables.evolve)
    }

    func pay(
        _ amountMinor: Int64, on date: String = "2026-03-10", currency: Currency = Fixture.rub,
        explicit: [Allocation] = [],
        id paymentId: UUID = Fixture.id(60), given events: [SalesEvent]
    ) throws -> PaymentReceived {
        let command = ReceivePayment(
            paymentId: paymentId, clientId: Fixture.client, receivedOn: Fixture.day(date), amountMinor: amountMinor,
            currency: currency, allocations: explicit)
        let decided = try Receivables.decide(command, state: state(events), client: client)
        guard decided.count == 1, case .paymentReceived(let payment) = decided[0] else {
            Issue.record("expected one PaymentReceived, got \(decided)")
            return PaymentReceived(
                paymentId: Fixture.id(60), clientId: Fixture.client, receivedOn: Fixture.day(date), amountMinor: 0,
                currency: currency, allocations: [], unappliedMinor: 0)
        }
        return payment
    }

    func refusal(
        _ amountMinor: Int64, on date: String = "2026-03-10", explicit: [Allocation], given events: [SalesEvent]
    ) -> SalesRuleViolation? {
        let command = ReceivePayment(
            paymentId: Fixture.id(60), clientId: Fixture.client, receivedOn: Fixture.day(date),
            amountMinor: amountMinor, currency: Fixture.rub, allocations: explicit)
        return violation { try Receivables.decide(command, state: state(events), client: client) }
    }

    func part(_ invoiceId: UUID, _ amountMinor: Int64) -> Allocation {
        Allocation(invoiceId: invoiceId, amountMinor: amountMinor)
    }

    @Test("the whole event: allocations and the unapplied rest")
    func event() throws {
        let command = ReceivePayment(
            paymentId: Fixture.id(60), clientId: Fixture.client, receivedOn: Fixture.day("2026-03-10"),
            amountMinor: 15_000, currency: Fixture.rub)
        let events = try Receivables.decide(
            command, state: state([Fixture.invoice(a, number: "INV-1")]), client: client)
        #expect(
            events == [
                PaymentReceived(
                    paymentId: Fixture.id(60), clientId: Fixture.client, receivedOn: Fixture.day("2026-03-10"),
                    amountMinor: 15_000, currency: Fixture.rub, allocations: [part(a, 10_000)], unappliedMinor: 5000
                ).event
            ])
    }

    @Test("automatic allocation: earliest due date first")
    func earliestDueFirst() throws {
        let payment = try pay(
            15_000,
            given: [
                Fixture.invoice(a, number: "INV-1", issued: "2026-03-01", due: "2026-04-30"),
                Fixture.invoice(b, number: "INV-2", issued: "2026-03-02", due: "2026-03-20"),
            ])
        #expect(payment.allocations == [part(b, 10_000), part(a, 5000)])
        #expect(payment.unappliedMinor == 0)
    }

    @Test("same due date: the earlier issue date first")
    func earlierIssueFirst() throws {
        let payment = try pay(
            12_000,
            given: [
                Fixture.invoice(a, number: "A", issued: "2026-03-05", due: "2026-03-31"),
                Fixture.invoice(b, number: "B", issued: "2026-03-01", due: "2026-03-31"),
            ])
        #expect(payment.allocations == [part(b, 10_000), part(a, 2000)])
    }

    @Test("same dates: the lower number by code point, so INV-10 before INV-9")
    func numberTieBreak() throws {
        let payment = try pay(
            15_000,
            given: [
                Fixture.invoice(a, number: "INV-9"),
                Fixture.invoice(b, number: "INV-10"),
            ])
        #expect(payment.allocations == [part(b, 10_000), part(a, 5000)])
    }

    @Test("code-point order, not locale order: B before a, Z before a, a before é")
    func codePointOrder() throws {
        let payment = try pay(
            3,
            given: [
                Fixture.invoice(a, number: "a", amountMinor: 1),
                Fixture.invoice(b, number: "B", amountMinor: 1),
                Fixture.invoice(c, number: "é", amountMinor: 1),
                Fixture.invoice(d, number: "Z", amountMinor: 1),
            ])
        #expect(payment.allocations == [part(b, 1), part(d, 1), part(a, 1)])
        #expect(
            PaymentAllocation.isAllocatedBefore(
                InvoiceAccount(
                    issued: InvoiceIssued(
                        invoiceId: a, clientId: Fixture.client, number: "a", issuedOn: Fixture.day("2026-03-01"),
                        dueOn: Fixture.day("2026-03-01"), amountMinor: 1, currency: Fixture.rub)),
                InvoiceAccount(
                    issued: InvoiceIssued(
                        invoiceId: c, clientId: Fixture.client, number: "é", issuedOn: Fixture.day("2026-03-01"),
                        dueOn: Fixture.day("2026-03-01"), amountMinor: 1, currency: Fixture.rub))
            ))
    }

    @Test("invoices issued after the payment's value date are left alone")
    func laterInvoicesIgnored() throws {
        let payment = try pay(
            20_000, on: "2026-03-10",
            given: [
                Fixture.invoice(a, number: "INV-1", issued: "2026-03-11", due: "2026-03-12"),
                Fixture.invoice(b, number: "INV-2", issued: "2026-03-10", due: "2026-04-30"),
            ])
        #expect(payment.allocations == [part(b, 10_000)])
        #expect(payment.unappliedMinor == 10_000)
    }

    @Test("invoices in another currency are left alone")
    func otherCurrencyIgnored() throws {
        let payment = try pay(
            20_000,
            given: [
                Fixture.invoice(a, number: "INV-1", due: "2026-03-05", currency: Fixture.usd),
                Fixture.invoice(b, number: "INV-2"),
            ])
        #expect(payment.allocations == [part(b, 10_000)])
        #expect(payment.unappliedMinor == 10_000)
    }

    @Test("settled, credited and written-off invoices take only what is open")
    func openBalancesOnly() throws {
        let payment = try pay(
            30_000,
            given: [
                Fixture.invoice(a, number: "INV-1", due: "2026-03-02"),
                Fixture.invoice(b, number: "INV-2", due: "2026-03-03"),
                Fixture.invoice(c, number: "INV-3", due: "2026-03-04"),
                Fixture.invoice(d, number: "INV-4", due: "2026-03-05"),
                Fixture.payment(Fixture.id(61), amountMinor: 10_000, allocations: [part(a, 10_000)]),
                CreditNoteIssued(
                    creditNoteId: Fixture.id(70), invoiceId: b, clientId: Fixture.client,
                    issuedOn: Fixture.day("2026-03-02"), amountMinor: 4000, currency: Fixture.rub, reason: "брак"
                ).event,
                InvoiceWrittenOff(
                    invoiceId: c, clientId: Fixture.client, writtenOffOn: Fixture.day("2026-03-03"),
                    amountMinor: 10_000, currency: Fixture.rub, reason: "r"
                ).event,
            ])
        #expect(payment.allocations == [part(b, 6000), part(d, 10_000)])
        #expect(payment.unappliedMinor == 14_000)
    }

    @Test("nothing open: the whole payment is unapplied credit")
    func allUnapplied() throws {
        let payment = try pay(7000, given: [])
        #expect(payment.allocations.isEmpty)
        #expect(payment.unappliedMinor == 7000)
    }

    @Test("explicit allocations apply first, whatever the due dates")
    func explicitFirst() throws {
        let payment = try pay(
            12_000, explicit: [part(a, 10_000)],
            given: [
                Fixture.invoice(a, number: "INV-1", due: "2026-04-30"),
                Fixture.invoice(b, number: "INV-2", due: "2026-03-15"),
            ])
        #expect(payment.allocations == [part(a, 10_000), part(b, 2000)])
        #expect(payment.unappliedMinor == 0)
    }

    @Test("explicit and automatic parts for one invoice merge into one entry")
    func merge() throws {
        let payment = try pay(
            16_000, explicit: [part(b, 3000)],
            given: [
                Fixture.invoice(a, number: "INV-1", due: "2026-03-20"),
                Fixture.invoice(b, number: "INV-2", due: "2026-03-25"),
            ])
        #expect(payment.allocations == [part(b, 6000), part(a, 10_000)])
        #expect(payment.unappliedMinor == 0)
    }

    @Test("an explicit list may leave the rest unapplied when nothing else is open")
    func explicitThenUnapplied() throws {
        let payment = try pay(15_000, explicit: [part(a, 4000)], given: [Fixture.invoice(a, number: "INV-1")])
        #expect(payment.allocations == [part(a, 10_000)])
        #expect(payment.unappliedMinor == 5000)
    }

    @Test("an explicit allocation may name an invoice issued on the value date itself")
    func sameDay() throws {
        let payment = try pay(
            10_000, on: "2026-03-01", explicit: [part(a, 10_000)],
            given: [Fixture.invoice(a, number: "INV-1", issued: "2026-03-01")])
        #expect(payment.allocations == [part(a, 10_000)])
    }

    @Test("explicit allocations above the payment are over-allocation")
    func overAllocation() {
        let refused = refusal(
            10_000, explicit: [part(a, 6000), part(b, 5000)],
            given: [Fixture.invoice(a, number: "INV-1"), Fixture.invoice(b, number: "INV-2")])
        #expect(refused?.code == .overAllocation)
        #expect(refused?.field == "allocations")
        #expect(refused?.kind == .invalid)
    }

    @Test("an explicit allocation above the invoice's open balance")
    func aboveBalance() {
        let refused = refusal(20_000, explicit: [part(a, 10_001)], given: [Fixture.invoice(a, number: "INV-1")])
        #expect(refused?.code == .allocationExceedsBalance)
        #expect(refused?.field == "allocations[0].amountMinor")
        let afterPayment = refusal(
            20_000, explicit: [part(a, 5000)],
            given: [
                Fixture.invoice(a, number: "INV-1"),
                Fixture.payment(Fixture.id(61), amountMinor: 6000, allocations: [part(a, 6000)]),
            ])
        #expect(afterPayment?.code == .allocationExceedsBalance)
        let writtenOff = refusal(
            20_000, explicit: [part(a, 1)],
            given: [
                Fixture.invoice(a, number: "INV-1"),
                InvoiceWrittenOff(
                    invoiceId: a, clientId: Fixture.client, writtenOffOn: Fixture.day("2026-03-03"),
                    amountMinor: 10_000, currency: Fixture.rub, reason: "r"
                ).event,
            ])
        #expect(writtenOff?.code == .allocationExceedsBalance)
    }

    @Test("an explicit allocation must name an invoice of this client")
    func unknownInvoice() {
        let refused = refusal(
            5000, explicit: [part(a, 1000), part(Fixture.id(99), 1000)], given: [Fixture.invoice(a, number: "INV-1")])
        #expect(refused?.code == .invoiceNotFound)
        #expect(refused?.field == "allocations[1].invoiceId")
        #expect(refused?.kind == .missing)
    }

    @Test("an explicit allocation in another currency")
    func explicitCurrency() {
        let refused = refusal(
            5000, explicit: [part(a, 1000)], given: [Fixture.invoice(a, number: "INV-1", currency: Fixture.eur)])
        #expect(refused?.code == .currencyMismatch)
        #expect(refused?.field == "allocations[0].invoiceId")
    }

    @Test("an explicit allocation to an invoice issued after the value date")
    func explicitLaterInvoice() {
        let refused = refusal(
            5000, on: "2026-02-28", explicit: [part(a, 1000)],
            given: [Fixture.invoice(a, number: "INV-1", issued: "2026-03-01")])
        #expect(refused?.code == .invoiceIssuedAfterPayment)
        #expect(refused?.kind == .invalid)
    }

    @Test("the same invoice twice in the explicit list")
    func duplicateExplicit() {
        let refused = refusal(
            5000, explicit: [part(a, 1000), part(a, 1000)], given: [Fixture.invoice(a, number: "INV-1")])
        #expect(refused?.code == .duplicateAllocation)
        #expect(refused?.field == "allocations[1].invoiceId")
    }

    @Test("a non-positive explicit part")
    func explicitZero() {
        let refused = refusal(5000, explicit: [part(a, 0)], given: [Fixture.invoice(a, number: "INV-1")])
        #expect(refused?.code == .amountNotPositive)
        #expect(refused?.field == "allocations[0].amountMinor")
    }

    @Test("payment refusals: unknown client, repeated id, zero amount")
    func paymentRefusals() throws {
        let command = ReceivePayment(
            paymentId: Fixture.id(60), clientId: Fixture.client, receivedOn: Fixture.day("2026-03-10"),
            amountMinor: 100, currency: Fixture.rub)
        #expect(
            violation { try Receivables.decide(command, state: Receivables.initialState, client: Client.initialState) }?
                .code == .clientNotFound)
        let first = try Receivables.decide(command, state: Receivables.initialState, client: client)
        #expect(
            violation { try Receivables.decide(command, state: state(first), client: client) }?.code
                == .duplicatePayment)
        var zero = command
        zero.paymentId = Fixture.id(62)
        zero.amountMinor = 0
        #expect(
            violation { try Receivables.decide(zero, state: Receivables.initialState, client: client) }?.code
                == .amountNotPositive)
    }

    @Test("a second payment sees the first one's allocations: no balance is paid twice")
    func sequentialPayments() throws {
        let invoices = [Fixture.invoice(a, number: "INV-1"), Fixture.invoice(b, number: "INV-2", due: "2026-04-30")]
        let first = try pay(8000, given: invoices)
        #expect(first.allocations == [part(a, 8000)])
        let second = try pay(8000, id: Fixture.id(61), given: invoices + [first.event])
        #expect(second.allocations == [part(a, 2000), part(b, 6000)])
    }

    @Test("amounts near the 64-bit limit do not overflow")
    func hugeAmounts() throws {
        let payment = try pay(
            .max,
            given: [
                Fixture.invoice(a, number: "INV-1", amountMinor: .max - 1),
                Fixture.invoice(b, number: "INV-2", due: "2026-04-30", amountMinor: .max),
            ])
        #expect(payment.allocations == [part(a, .max - 1), part(b, 1)])
        #expect(payment.unappliedMinor == 0)
        let over = refusal(
            .max, explicit: [part(a, .max - 1), part(b, 2)],
            given: [
                Fixture.invoice(a, number: "INV-1", amountMinor: .max),
                Fixture.invoice(b, number: "INV-2", amountMinor: .max),
            ])
        #expect(over?.code == .overAllocation)
    }
}
