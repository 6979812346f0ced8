import Foundation
import HexText

/// The receivables of one client (stream `receivables-<clientId>`) as a decider: `initialState`,
/// `evolve`, `decide`. All of a client's invoices, payments, credit notes and write-offs live on one
/// stream, so two concurrent payments can never allocate the same open balance twice.
///
/// Rules: invoice ids are unique and invoice numbers unique within the stream (global uniqueness is
/// the store's); `dueOn` is not before `issuedOn`; an `orderId` names an order of the client.
/// Payments follow the allocation rule (see `decide(_:state:client:)` for `ReceivePayment`).
/// A credit note is in its invoice's currency, not above the open balance, and dated on or after
/// the invoice's `issuedOn`. A write-off takes the whole open balance (> 0), dated on or after
/// `issuedOn`; a written-off invoice has open balance 0 and takes nothing further.
/// Collections work: a promise to pay is made on an invoice that still owes something, for at most
/// its open balance as recorded so far, made on or after `issuedOn` and on or before the day it
/// promises; a reminder goes only to an invoice overdue on the day it is sent (open by the aging
/// rule as of `sentOn`, and `sentOn` after `dueOn`).
public enum Receivables {
    /// The state of a receivables stream with no events.
    public static let initialState = ReceivablesState()

    /// The state after `event`; events of other aggregates leave it unchanged.
    public static func evolve(_ state: ReceivablesState, _ event: SalesEvent) -> ReceivablesState {
        var state = state
        state.apply(event)
        return state
    }

    /// Issues an invoice. `client` is the state of `client-<clientId>`.
    /// - Throws: `client-not-found` (404), `order-not-found` (404), `duplicate-invoice` (409),
    ///   `duplicate-invoice-number` (409), `amount-not-positive` (422), `due-before-issued` (422).
    public static func decide(
        _ command: IssueInvoice, state: ReceivablesState, client: ClientState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        try Client.requireRegistered(client, command.clientId, field: "clientId")
        if let orderId = command.orderId, !client.orderIds.contains(orderId) {
            throw SalesRuleViolation(
                .orderNotFound, "order \(orderId.canonical) is not an order of this client", field: "orderId"
            )
        }
        guard state.invoices[command.invoiceId] == nil else {
            throw SalesRuleViolation(
                .duplicateInvoice, "invoice \(command.invoiceId.canonical) is already issued", field: "invoiceId"
            )
        }
        guard state.invoiceNumbers[command.number] == nil else {
            throw SalesRuleViolation(
                .duplicateInvoiceNumber, "invoice number '\(command.number)' is already used", field: "number"
            )
        }
        try SalesRuleViolation.requirePositive(command.amountMinor)
        guard command.dueOn >= command.issuedOn else {
            throw SalesRuleViolation(
                .dueBeforeIssued, "dueOn \(command.dueOn) is before issuedOn \(command.issuedOn)", field: "dueOn"
            )
        }
        return [
            InvoiceIssued(
                invoiceId: command.invoiceId, clientId: command.clientId, number: command.number,
                issuedOn: command.issuedOn,
                dueOn: command.dueOn, amountMinor: command.amountMinor, currency: command.currency,
                orderId: command.orderId
            ).event
        ]
    }

    /// Receives a payment and allocates it by the contract's rule, against everything the stream
    /// holds at record time:
    /// 1. the explicit allocations first, each naming an invoice of this client in the payment's
    ///    currency, issued on or before `receivedOn`, not above its open balance, no invoice twice,
    ///    together not above the payment;
    /// 2. the remainder automatically to the client's invoices in the payment's currency issued on
    ///    or before `receivedOn` with an open balance left, earliest `dueOn` first, then earlier
    ///    `issuedOn`, then lower `number` compared by Unicode code points;
    /// 3. what is left is `unappliedMinor`, the client's unapplied credit in that currency.
    ///
    /// `allocations` of the event hold one entry per invoice, the explicit and automatic parts
    /// merged: the explicitly named invoices first in the order given, then the others in the order
    /// the automatic part reached them.
    /// - Throws: `client-not-found` (404), `invoice-not-found` (404), `duplicate-payment` (409),
    ///   `amount-not-positive` (422), `duplicate-allocation`, `currency-mismatch`,
    ///   `invoice-issued-after-payment`, `allocation-exceeds-balance`, `over-allocation` (422).
    public static func decide(
        _ command: ReceivePayment, state: ReceivablesState, client: ClientState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        try Client.requireRegistered(client, command.clientId, field: "clientId")
        guard !state.paymentIds.contains(command.paymentId) else {
            throw SalesRuleViolation(
                .duplicatePayment, "payment \(command.paymentId.canonical) is already recorded", field: "paymentId"
            )
        }
        try SalesRuleViolation.requirePositive(command.amountMinor)
        let allocation = try PaymentAllocation(command, invoices: state.invoices)
        return [
            PaymentReceived(
                paymentId: command.paymentId, clientId: command.clientId, receivedOn: command.receivedOn,
                amountMinor: command.amountMinor, currency: command.currency, allocations: allocation.allocations,
                unappliedMinor: allocation.unappliedMinor
            ).event
        ]
    }

    /// Issues a credit note against an invoice of this stream.
    /// - Throws: `invoice-not-found` (404), `duplicate-credit-note` (409), `invoice-written-off` (409),
    ///   `amount-not-positive` (422), `date-before-issued` (422), `credit-exceeds-balance` (422).
    public static func decide(
        _ command: IssueCreditNote, state: ReceivablesState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        let account = try invoice(command.invoiceId, in: state)
        guard !state.creditNoteIds.contains(command.creditNoteId) else {
            throw SalesRuleViolation(
                .duplicateCreditNote, "credit note \(command.creditNoteId.canonical) is already issued",
                field: "creditNoteId"
            )
        }
        try requireNotWrittenOff(account)
        try SalesRuleViolation.requirePositive(command.amountMinor)
        try requireNotBeforeIssued(command.issuedOn, account, field: "issuedOn")
        let credit = Money(amountMinor: command.amountMinor, currency: account.issued.currency)
        guard command.amountMinor <= account.openBalanceMinor else {
            throw SalesRuleViolation(
                .creditExceedsBalance, "a credit note of \(credit) exceeds the open balance of \(account.openBalance)",
                field: "amountMinor"
            )
        }
        return [
            CreditNoteIssued(
                creditNoteId: command.creditNoteId, invoiceId: command.invoiceId, clientId: account.issued.clientId,
                issuedOn: command.issuedOn, amountMinor: command.amountMinor, currency: account.issued.currency,
                reason: command.reason
            ).event
        ]
    }

    /// Writes off the open balance of an invoice of this stream.
    /// - Throws: `invoice-not-found` (404), `invoice-written-off` (409), `invoice-settled` (409),
    ///   `date-before-issued` (422).
    public static func decide(
        _ command: WriteOffInvoice, state: ReceivablesState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        let account = try invoice(command.invoiceId, in: state)
        try requireNotWrittenOff(account)
        try requireNotBeforeIssued(command.writtenOffOn, account, field: "writtenOffOn")
        guard account.openBalanceMinor > 0 else {
            throw SalesRuleViolation(
                .invoiceSettled, "invoice '\(account.issued.number)' has nothing open to write off")
        }
        return [
            InvoiceWrittenOff(
                invoiceId: command.invoiceId, clientId: account.issued.clientId, writtenOffOn: command.writtenOffOn,
                amountMinor: account.openBalanceMinor, currency: account.issued.currency, reason: command.reason
            ).event
        ]
    }

    /// Records a client's promise to pay an invoice of this stream.
    /// - Throws: `invoice-not-found` (404), `duplicate-promise` (409), `invoice-not-open` (422, the
    ///   invoice is paid, credited or written off), `amount-not-positive`, `promise-exceeds-balance`
    ///   (`amountMinor` above the open balance as recorded so far), `date-before-issued` (`madeOn`
    ///   before the invoice's `issuedOn`), `made-after-promised` (`madeOn` after `promisedOn`) (422).
    public static func decide(
        _ command: PromisePayment, state: ReceivablesState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        let account = try invoice(command.invoiceId, in: state)
        guard !state.promiseIds.contains(command.promiseId) else {
            throw SalesRuleViolation(
                .duplicatePromise, "promise \(command.promiseId.canonical) is already recorded", field: "promiseId")
        }
        try requireOpen(account)
        try SalesRuleViolation.requirePositive(command.amountMinor)
        guard command.amountMinor <= account.openBalanceMinor else {
            throw SalesRuleViolation(
                .promiseExceedsBalance,
                "a promise of \(Money(amountMinor: command.amountMinor, currency: account.issued.currency)) exceeds the "
                    + "open balance of \(account.openBalance)",
                field: "amountMinor")
        }
        try requireNotBeforeIssued(command.madeOn, account, field: "madeOn")
        guard command.madeOn <= command.promisedOn else {
            throw SalesRuleViolation(
                .madeAfterPromised, "madeOn \(command.madeOn) is after promisedOn \(command.promisedOn)",
                field: "madeOn")
        }
        return [
            PaymentPromised(
                promiseId: command.promiseId, invoiceId: command.invoiceId, clientId: account.issued.clientId,
                madeOn: command.madeOn, promisedOn: command.promisedOn, amountMinor: command.amountMinor,
                currency: account.issued.currency, note: command.note
            ).event
        ]
    }

    /// Records a reminder of an overdue invoice of this stream.
    /// - Throws: `invoice-not-found` (404), `duplicate-reminder` (409), `invoice-not-overdue` (422:
    ///   nothing open on it as of `sentOn` by the aging rule, or `sentOn` not after `dueOn`).
    public static func decide(
        _ command: SendPaymentReminder, state: ReceivablesState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        let account = try invoice(command.invoiceId, in: state)
        guard !state.reminderIds.contains(command.reminderId) else {
            throw SalesRuleViolation(
                .duplicateReminder, "reminder \(command.reminderId.canonical) is already recorded", field: "reminderId")
        }
        let number = account.issued.number
        guard command.sentOn > account.issued.dueOn else {
            throw SalesRuleViolation(
                .invoiceNotOverdue,
                "invoice '\(number)' is due on \(account.issued.dueOn), not overdue on \(command.sentOn)",
                field: "sentOn")
        }
        guard account.openBalanceMinor(asOf: command.sentOn) > 0 else {
            throw SalesRuleViolation(
                .invoiceNotOverdue, "invoice '\(number)' has nothing open as of \(command.sentOn)", field: "sentOn")
        }
        return [
            PaymentReminderSent(
                reminderId: command.reminderId, invoiceId: command.invoiceId, clientId: account.issued.clientId,
                sentOn: command.sentOn, channel: command.channel, level: command.level, note: command.note
            ).event
        ]
    }

    /// Throws `invoice-not-open` (naming `invoiceId`) for an invoice written off or with nothing
    /// left open as recorded so far.
    private static func requireOpen(_ account: InvoiceAccount) throws(SalesRuleViolation) {
        let number = account.issued.number
        if let writtenOffOn = account.writtenOffOn {
            throw SalesRuleViolation(
                .invoiceNotOpen, "invoice '\(number)' was written off on \(writtenOffOn)", field: "invoiceId")
        }
        guard account.openBalanceMinor > 0 else {
            throw SalesRuleViolation(
                .invoiceNotOpen, "invoice '\(number)' is paid: nothing is open on it", field: "invoiceId")
        }
    }

    private static func invoice(
        _ invoiceId: UUID, in state: ReceivablesState
    ) throws(SalesRuleViolation) -> InvoiceAccount {
        guard let account = state.invoices[invoiceId] else {
            throw SalesRuleViolation(.invoiceNotFound, "invoice \(invoiceId.canonical) does not exist")
        }
        return account
    }

    private static func requireNotWrittenOff(_ account: InvoiceAccount) throws(SalesRuleViolation) {
        if let writtenOffOn = account.writtenOffOn {
            throw SalesRuleViolation(
                .invoiceWrittenOff, "invoice '\(account.issued.number)' was written off on \(writtenOffOn)"
            )
        }
    }

    private static func requireNotBeforeIssued(
        _ date: LocalDate, _ account: InvoiceAccount, field: String
    ) throws(SalesRuleViolation) {
        guard date >= account.issued.issuedOn else {
            throw SalesRuleViolation(
                .dateBeforeIssued, "\(field) \(date) is before the invoice was issued on \(account.issued.issuedOn)",
                field: field
            )
        }
    }
}
