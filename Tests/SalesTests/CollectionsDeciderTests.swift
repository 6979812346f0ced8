import Foundation
import JSON
import Testing

@testable import Sales

/// Promises to pay and payment reminders, decided by the receivables decider on one invoice INV-1 of
/// 10 000 RUB issued 2026-03-01, due 2026-03-31.
@Suite("Collections work: promises to pay and reminders")
struct CollectionsDeciderTests {
    let invoiceId = Fixture.id(51)

    func state(_ events: [SalesEvent] = []) -> ReceivablesState {
        Fixture.fold(
            [Fixture.invoice(invoiceId, number: "INV-1")] + events, from: Receivables.initialState, Receivables.evolve)
    }

    func promise(
        _ amountMinor: Int64 = 4_000, made: String = "2026-04-02", by: String = "2026-04-10", id: UUID = Fixture.id(80)
    ) -> PromisePayment {
        PromisePayment(
            promiseId: id, invoiceId: invoiceId, madeOn: Fixture.day(made), promisedOn: Fixture.day(by),
            amountMinor: amountMinor, note: "обещал к пятнице")
    }

    func reminder(on day: String, level: ReminderLevel = .friendly, id: UUID = Fixture.id(90)) -> SendPaymentReminder {
        SendPaymentReminder(
            reminderId: id, invoiceId: invoiceId, sentOn: Fixture.day(day), channel: .letter, level: level)
    }

    func paid(_ amountMinor: Int64, on day: String) -> SalesEvent {
        Fixture.payment(
            Fixture.id(Int(amountMinor % 1000) + 100), received: day, amountMinor: amountMinor,
            allocations: [Allocation(invoiceId: invoiceId, amountMinor: amountMinor)])
    }

    func credited(_ amountMinor: Int64, on day: String) -> SalesEvent {
        CreditNoteIssued(
            creditNoteId: Fixture.id(70), invoiceId: invoiceId, clientId: Fixture.client, issuedOn: Fixture.day(day),
            amountMinor: amountMinor, currency: Fixture.rub, reason: "брак"
        ).event
    }

    func writtenOff(on day: String) -> SalesEvent {
        InvoiceWrittenOff(
            invoiceId: invoiceId, clientId: Fixture.client, writtenOffOn: Fixture.day(day), amountMinor: 10_000,
            currency: Fixture.rub, reason: "банкротство"
        ).event
    }

    // MARK: promises

    @Test("a promise is recorded in the invoice's currency, for the whole open balance at most")
    func promiseRecorded() throws {
        #expect(
            try Receivables.decide(promise(), state: state()) == [
                PaymentPromised(
                    promiseId: Fixture.id(80), invoiceId: invoiceId, clientId: Fixture.client,
                    madeOn: Fixture.day("2026-04-02"),
                    promisedOn: Fixture.day("2026-04-10"), amountMinor: 4_000, currency: Fixture.rub,
                    note: "обещал к пятнице"
                ).event
            ])
        // Exactly the open balance as recorded so far (a payment dated later counts too), made on
        // the day the invoice was issued and promised for that same day.
        let open = state([paid(3_000, on: "2026-05-01")])
        #expect(try Receivables.decide(promise(7_000, made: "2026-03-01", by: "2026-03-01"), state: open).count == 1)
        // Before the invoice is due: a promise needs no overdue invoice.
        #expect(try Receivables.decide(promise(made: "2026-03-05", by: "2026-03-06"), state: state()).count == 1)
    }

    @Test("a promise above the open balance by one minor unit is refused naming amountMinor")
    func promiseAboveBalance() {
        let open = state([paid(3_000, on: "2026-05-01"), credited(1_000, on: "2026-03-02")])
        let refusal = violation { try Receivables.decide(promise(6_001), state: open) }
        #expect(refusal?.code == .promiseExceedsBalance && refusal?.field == "amountMinor" && refusal?.kind == .invalid)
        #expect(violation { try Receivables.decide(promise(10_001), state: state()) }?.code == .promiseExceedsBalance)
        #expect(violation { try Receivables.decide(promise(0), state: state()) }?.code == .amountNotPositive)
    }

    @Test("no promise on a paid, credited or written-off invoice")
    func promiseOnClosedInvoice() {
        for closed in [
            [paid(10_000, on: "2026-03-05")], [credited(10_000, on: "2026-03-05")], [writtenOff(on: "2026-06-30")],
        ] {
            let refusal = violation { try Receivables.decide(promise(1), state: state(closed)) }
            #expect(refusal?.code == .invoiceNotOpen && refusal?.field == "invoiceId" && refusal?.kind == .invalid)
        }
    }

    @Test("madeOn is on or after issuedOn and on or before promisedOn")
    func promiseDates() {
        let early = violation { try Receivables.decide(promise(made: "2026-02-28", by: "2026-04-10"), state: state()) }
        #expect(early?.code == .dateBeforeIssued && early?.field == "madeOn" && early?.kind == .invalid)
        let late = violation { try Receivables.decide(promise(made: "2026-04-11", by: "2026-04-10"), state: state()) }
        #expect(late?.code == .madeAfterPromised && late?.field == "madeOn" && late?.kind == .invalid)
    }

    @Test("unknown invoices and reused promise ids")
    func promiseIdentity() throws {
        var other = promise()
        other.invoiceId = Fixture.id(99)
        #expect(violation { try Receivables.decide(other, state: state()) }?.code == .invoiceNotFound)
        let recorded = state([
            PaymentPromised(
                promiseId: Fixture.id(80), invoiceId: invoiceId, clientId: Fixture.client,
                madeOn: Fixture.day("2026-04-01"),
                promisedOn: Fixture.day("2026-04-05"), amountMinor: 1, currency: Fixture.rub
            ).event
        ])
        let again = violation { try Receivables.decide(promise(), state: recorded) }
        #expect(again?.code == .duplicatePromise && again?.kind == .conflict)
        #expect(try Receivables.decide(promise(id: Fixture.id(81)), state: recorded).count == 1)
    }

    // MARK: reminders

    @Test("a reminder of an invoice overdue on the day it is sent, at every level")
    func reminderRecorded() throws {
        for level in ReminderLevel.allCases {
            #expect(
                try Receivables.decide(reminder(on: "2026-04-01", level: level), state: state()) == [
                    PaymentReminderSent(
                        reminderId: Fixture.id(90), invoiceId: invoiceId, clientId: Fixture.client,
                        sentOn: Fixture.day("2026-04-01"), channel: .letter, level: level
                    ).event
                ])
        }
    }

    @Test("not overdue: on the due day, before it, or with nothing open as of the day sent")
    func reminderNotOverdue() throws {
        let onDueDay = violation { try Receivables.decide(reminder(on: "2026-03-31"), state: state()) }
        #expect(onDueDay?.code == .invoiceNotOverdue && onDueDay?.field == "sentOn" && onDueDay?.kind == .invalid)
        #expect(
            violation { try Receivables.decide(reminder(on: "2026-03-15"), state: state()) }?.code == .invoiceNotOverdue
        )
        // Paid in full on the day it is sent: nothing open as of that day.
        let paidThatDay = state([paid(10_000, on: "2026-04-05")])
        #expect(
            violation { try Receivables.decide(reminder(on: "2026-04-05"), state: paidThatDay) }?.code
                == .invoiceNotOverdue)
        // A payment dated after the day sent does not count (the aging rule), though recorded already.
        #expect(try Receivables.decide(reminder(on: "2026-04-04"), state: paidThatDay).count == 1)
        // One minor unit left open is enough.
        #expect(
            try Receivables.decide(reminder(on: "2026-04-05"), state: state([paid(9_999, on: "2026-04-01")])).count == 1
        )
        // Credited to zero, or written off, on or before the day sent.
        let credited = state([credited(10_000, on: "2026-04-02")])
        #expect(
            violation { try Receivables.decide(reminder(on: "2026-04-02"), state: credited) }?.code
                == .invoiceNotOverdue)
        #expect(try Receivables.decide(reminder(on: "2026-04-01"), state: credited).count == 1)
        let writeOff = state([writtenOff(on: "2026-04-03")])
        #expect(
            violation { try Receivables.decide(reminder(on: "2026-04-03"), state: writeOff) }?.code
                == .invoiceNotOverdue)
        #expect(try Receivables.decide(reminder(on: "2026-04-02"), state: writeOff).count == 1)
    }

    @Test("unknown invoices and reused reminder ids")
    func reminderIdentity() throws {
        let sent = try Receivables.decide(reminder(on: "2026-04-01"), state: state())
        let again = violation { try Receivables.decide(reminder(on: "2026-04-02"), state: state(sent)) }
        #expect(again?.code == .duplicateReminder && again?.kind == .conflict)
        var other = reminder(on: "2026-04-01")
        other.invoiceId = Fixture.id(99)
        #expect(violation { try Receivables.decide(other, state: state()) }?.code == .invoiceNotFound)
    }

    // MARK: parsing

    @Test("parsing a promise: madeOn defaults to the UTC day of recording; amounts and dates are checked")
    func parsePromise() throws {
        let recordedAt = Fixture.instant("2026-04-02T23:30:00Z")
        let parsed = try PromisePayment.parse(
            Fixture.json(#"{"promisedOn": "2026-04-10", "amountMinor": 4000}"#), invoiceId: invoiceId,
            recordedAt: recordedAt,
            makeID: Fixture.always(Fixture.id(80)))
        #expect(
            parsed
                == PromisePayment(
                    promiseId: Fixture.id(80), invoiceId: invoiceId, madeOn: Fixture.day("2026-04-02"),
                    promisedOn: Fixture.day("2026-04-10"), amountMinor: 4_000))
        do {
            _ = try PromisePayment.parse(
                Fixture.json(#"{"promisedOn": "2026-02-30", "amountMinor": 0, "madeOn": "x", "currency": "RUB"}"#),
                invoiceId: invoiceId, recordedAt: recordedAt)
            Issue.record("a bad promise was accepted")
        } catch {
            #expect(Set(error.errors.map(\.field)) == ["promisedOn", "amountMinor", "madeOn", "currency"])
        }
    }

    @Test("parsing a reminder: level 1 to 3, a channel of the list")
    func parseReminder() throws {
        let parsed = try SendPaymentReminder.parse(
            Fixture.json(#"{"sentOn": "2026-04-01", "channel": "call", "level": 3, "note": "последнее"}"#),
            invoiceId: invoiceId,
            makeID: Fixture.always(Fixture.id(90)))
        #expect(parsed.level == .finalNotice && parsed.channel == .call && parsed.note == "последнее")
        for level in ["0", "4", "-1", "1.5", "\"2\"", "null"] {
            do {
                _ = try SendPaymentReminder.parse(
                    Fixture.json(#"{"sentOn": "2026-04-01", "channel": "email", "level": \#(level)}"#),
                    invoiceId: invoiceId)
                Issue.record("level \(level) was accepted")
            } catch {
                #expect(error.errors.map(\.field) == ["level"], "\(level)")
            }
        }
        do {
            _ = try SendPaymentReminder.parse(
                Fixture.json(#"{"sentOn": "2026-04-01", "channel": "fax", "level": 1}"#), invoiceId: invoiceId)
            Issue.record("a fax was accepted")
        } catch {
            #expect(error.errors.map(\.field) == ["channel"])
        }
    }

    @Test("the events round-trip through their JSON, the note is personal, the state survives a snapshot")
    func codingAndSnapshot() throws {
        var noted = reminder(on: "2026-04-01", level: .firm)
        noted.note = "второе напоминание"
        let events = try Receivables.decide(promise(), state: state()) + Receivables.decide(noted, state: state())
        for event in events {
            #expect(try SalesEvent.decode(type: event.type, schemaVersion: 1, data: event.encode()) == event)
            #expect(event.carriesPersonalData)
            #expect(event.stream == .receivables(Fixture.client))
        }
        #expect(PaymentPromised.personalFields == ["note"] && PaymentReminderSent.personalFields == ["note"])
        let folded = state([paid(3_000, on: "2026-04-01"), credited(500, on: "2026-03-20")] + events)
        #expect(try ReceivablesState(snapshot: folded.snapshot) == folded)
        #expect(folded.invoices[invoiceId]?.openBalanceMinor(asOf: Fixture.day("2026-03-31")) == 9_500)
    }
}
