import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Receivables decider: invoices, credit notes, write-offs")
struct ReceivablesDeciderTests {
    let client = Fixture.fold(
        [
            Fixture.registered(),
            PlaceOrder(
                orderId: Fixture.id(4), clientId: Fixture.client, placedOn: Fixture.day("2026-02-20"),
                amountMinor: 10_000, currency: Fixture.rub
            ).asEvent,
        ], from: Client.initialState, Client.evolve)
    let invoiceId = Fixture.id(51)

    func state(_ events: [SalesEvent]) -> ReceivablesState {
        Fixture.fold(events, from: Receivables.initialState, Receivables.evolve)
    }

    /// One invoice INV-1 of 10 000 RUB issued 2026-03-01, due 2026-03-31, then `events`.
    func withInvoice(_ events: [SalesEvent] = []) -> ReceivablesState {
        state([Fixture.invoice(invoiceId, number: "INV-1")] + events)
    }

    func issue(
        _ id: UUID = Fixture.id(52), number: String = "INV-2", issued: String = "2026-03-01",
        due: String = "2026-03-31", orderId: UUID? = nil
    ) -> IssueInvoice {
        IssueInvoice(
            invoiceId: id, clientId: Fixture.client, number: number, issuedOn: Fixture.day(issued),
            dueOn: Fixture.day(due), amountMinor: 10_000, currency: Fixture.rub, orderId: orderId)
    }

    func credit(_ amountMinor: Int64, on date: String = "2026-03-05", id: UUID = Fixture.id(70)) -> IssueCreditNote {
        IssueCreditNote(
            creditNoteId: id, invoiceId: invoiceId, issuedOn: Fixture.day(date), amountMinor: amountMinor,
            reason: "брак")
    }

    func writeOff(on date: String = "2026-06-30") -> WriteOffInvoice {
        WriteOffInvoice(invoiceId: invoiceId, writtenOffOn: Fixture.day(date), reason: "банкротство")
    }

    func paid(_ amountMinor: Int64) -> SalesEvent {
        Fixture.payment(
            Fixture.id(60), amountMinor: amountMinor,
            allocations: [Allocation(invoiceId: invoiceId, amountMinor: amountMinor)])
    }

    // MARK: invoices

    @Test("issuing an invoice for an order of the client")
    func issueInvoice() throws {
        #expect(
            try Receivables.decide(issue(orderId: Fixture.id(4)), state: Receivables.initialState, client: client) == [
                InvoiceIssued(
                    invoiceId: Fixture.id(52), clientId: Fixture.client, number: "INV-2",
                    issuedOn: Fixture.day("2026-03-01"), dueOn: Fixture.day("2026-03-31"), amountMinor: 10_000,
                    currency: Fixture.rub, orderId: Fixture.id(4)
                ).event
            ])
        #expect(
            try Receivables.decide(issue(due: "2026-03-01"), state: Receivables.initialState, client: client).count == 1
        )
    }

    @Test("invoice refusals")
    func invoiceRefusals() {
        let noClient = violation {
            try Receivables.decide(issue(), state: Receivables.initialState, client: Client.initialState)
        }
        #expect(noClient?.code == .clientNotFound && noClient?.kind == .missing)
        let due = violation {
            try Receivables.decide(
                issue(issued: "2026-03-02", due: "2026-03-01"), state: Receivables.initialState, client: client)
        }
        #expect(due?.code == .dueBeforeIssued && due?.field == "dueOn" && due?.kind == .invalid)
        let sameId = violation {
            try Receivables.decide(issue(invoiceId, number: "INV-9"), state: withInvoice(), client: client)
        }
        #expect(sameId?.code == .duplicateInvoice && sameId?.kind == .conflict)
        let sameNumber = violation {
            try Receivables.decide(issue(number: "INV-1"), state: withInvoice(), client: client)
        }
        #expect(
            sameNumber?.code == .duplicateInvoiceNumber && sameNumber?.field == "number"
                && sameNumber?.kind == .conflict)
        let order = violation {
            try Receivables.decide(issue(orderId: Fixture.id(5)), state: Receivables.initialState, client: client)
        }
        #expect(order?.code == .orderNotFound && order?.field == "orderId")
        var zero = issue()
        zero.amountMinor = 0
        #expect(
            violation { try Receivables.decide(zero, state: Receivables.initialState, client: client) }?.code
                == .amountNotPositive)
    }

    @Test("invoice numbers are compared exactly: another case is another number")
    func numberCase() throws {
        #expect(try Receivables.decide(issue(number: "inv-1"), state: withInvoice(), client: client).count == 1)
    }

    // MARK: credit notes

    @Test("a credit note takes the invoice's currency and reduces the open balance")
    func creditNote() throws {
        let events = try Receivables.decide(credit(4000), state: withInvoice())
        #expect(
            events == [
                CreditNoteIssued(
                    creditNoteId: Fixture.id(70), invoiceId: invoiceId, clientId: Fixture.client,
                    issuedOn: Fixture.day("2026-03-05"), amountMinor: 4000, currency: Fixture.rub, reason: "брак"
                ).event
            ])
        #expect(withInvoice(events).invoices[invoiceId]?.openBalanceMinor == 6000)
    }

    @Test("a credit note may be dated on the issue day, before the due day, and take the whole balance")
    func creditNoteBounds() throws {
        #expect(try Receivables.decide(credit(10_000, on: "2026-03-01"), state: withInvoice()).count == 1)
        #expect(try Receivables.decide(credit(4000, on: "2026-04-15"), state: withInvoice([paid(6000)])).count == 1)
    }

    @Test("credit note refusals")
    func creditNoteRefusals() throws {
        let missing = violation { try Receivables.decide(credit(1), state: Receivables.initialState) }
        #expect(missing?.code == .invoiceNotFound && missing?.kind == .missing)
        let early = violation { try Receivables.decide(credit(1, on: "2026-02-28"), state: withInvoice()) }
        #expect(early?.code == .dateBeforeIssued && early?.field == "issuedOn")
        let tooMuch = violation { try Receivables.decide(credit(10_001), state: withInvoice()) }
        #expect(tooMuch?.code == .creditExceedsBalance && tooMuch?.field == "amountMinor" && tooMuch?.kind == .invalid)
        #expect(tooMuch?.detail == "a credit note of 100.01 RUB exceeds the open balance of 100.00 RUB")
        let afterPayment = violation { try Receivables.decide(credit(4001), state: withInvoice([paid(6000)])) }
        #expect(afterPayment?.code == .creditExceedsBalance)
        let earlier = try Receivables.decide(credit(7000), state: withInvoice())
        #expect(
            violation { try Receivables.decide(credit(3001, id: Fixture.id(71)), state: withInvoice(earlier)) }?.code
                == .creditExceedsBalance)
        #expect(
            violation { try Receivables.decide(credit(1000), state: withInvoice(earlier)) }?.code
                == .duplicateCreditNote)
        let writtenOff = try Receivables.decide(writeOff(), state: withInvoice())
        let afterWriteOff = violation { try Receivables.decide(credit(1), state: withInvoice(writtenOff)) }
        #expect(afterWriteOff?.code == .invoiceWrittenOff && afterWriteOff?.kind == .conflict)
        #expect(violation { try Receivables.decide(credit(0), state: withInvoice()) }?.code == .amountNotPositive)
    }

    @Test("the open balance counts everything recorded so far, whatever its business date")
    func balanceIgnoresDates() throws {
        let latePayment = Fixture.payment(
            Fixture.id(60), received: "2026-12-31", amountMinor: 6000,
            allocations: [Allocation(invoiceId: invoiceId, amountMinor: 6000)])
        #expect(
            violation { try Receivables.decide(credit(4001, on: "2026-03-02"), state: withInvoice([latePayment])) }?
                .code == .creditExceedsBalance)
    }

    // MARK: write-offs

    @Test("a write-off records the open balance at that time")
    func writeOffBalance() throws {
        let reduced = withInvoice([
            paid(2500),
            CreditNoteIssued(
                creditNoteId: Fixture.id(70), invoiceId: invoiceId, clientId: Fixture.client,
                issuedOn: Fixture.day("2026-03-05"), amountMinor: 1500, currency: Fixture.rub, reason: "брак"
            ).event,
        ])
        let events = try Receivables.decide(writeOff(on: "2026-03-01"), state: reduced)
        #expect(
            events == [
                InvoiceWrittenOff(
                    invoiceId: invoiceId, clientId: Fixture.client, writtenOffOn: Fixture.day("2026-03-01"),
                    amountMinor: 6000, currency: Fixture.rub, reason: "банкротство"
                ).event
            ])
        let after = Fixture.fold(events, from: reduced, Receivables.evolve)
        #expect(after.invoices[invoiceId]?.openBalanceMinor == 0)
        #expect(after.invoices[invoiceId]?.isWrittenOff == true)
        #expect(after.invoices[invoiceId]?.writtenOffMinor == 6000)
    }

    @Test("write-off refusals")
    func writeOffRefusals() throws {
        #expect(
            violation { try Receivables.decide(writeOff(), state: Receivables.initialState) }?.code == .invoiceNotFound)
        let early = violation { try Receivables.decide(writeOff(on: "2026-02-28"), state: withInvoice()) }
        #expect(early?.code == .dateBeforeIssued && early?.field == "writtenOffOn")
        let settled = violation { try Receivables.decide(writeOff(), state: withInvoice([paid(10_000)])) }
        #expect(settled?.code == .invoiceSettled && settled?.kind == .conflict)
        let once = try Receivables.decide(writeOff(), state: withInvoice())
        #expect(violation { try Receivables.decide(writeOff(), state: withInvoice(once)) }?.code == .invoiceWrittenOff)
    }

    @Test("the state indexes numbers, payments and credit notes, and ignores other streams' events")
    func evolve() {
        let folded = withInvoice([
            Fixture.payment(
                Fixture.id(60), amountMinor: 12_000,
                allocations: [Allocation(invoiceId: invoiceId, amountMinor: 10_000)], unappliedMinor: 2000),
            Fixture.registered(),
        ])
        #expect(folded.invoiceNumbers == ["INV-1": invoiceId])
        #expect(folded.paymentIds == [Fixture.id(60)])
        #expect(folded.unappliedMinor == [Fixture.rub: 2000])
        #expect(folded.invoices[invoiceId]?.openBalanceMinor == 0)
        #expect(folded.invoices[invoiceId]?.openBalance == Money(amountMinor: 0, currency: Fixture.rub))
    }
}
