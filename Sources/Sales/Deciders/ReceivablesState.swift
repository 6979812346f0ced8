public import Foundation

/// What the stream `receivables-<clientId>` knows: the client's invoices with their open
/// balances (and what reduced them, dated), the invoice numbers, the payment, credit-note, promise
/// and reminder ids already used, and the credit left unapplied per currency.
public struct ReceivablesState: Sendable, Equatable {
    /// Every invoice of the client by id.
    public internal(set) var invoices: [UUID: InvoiceAccount] = [:]
    /// The invoice id of each invoice number used.
    public internal(set) var invoiceNumbers: [String: UUID] = [:]
    /// Every payment recorded.
    public internal(set) var paymentIds: Set<UUID> = []
    /// Every credit note recorded.
    public internal(set) var creditNoteIds: Set<UUID> = []
    /// Every promise to pay recorded.
    public internal(set) var promiseIds: Set<UUID> = []
    /// Every payment reminder recorded.
    public internal(set) var reminderIds: Set<UUID> = []
    /// The unapplied remainders of the client's payments, per currency.
    public internal(set) var unappliedMinor: [Currency: Int128] = [:]

    /// Applies a receivables event; any other event leaves the state unchanged. Allocations,
    /// credit notes and write-offs of invoices this state does not hold are ignored.
    mutating func apply(_ event: SalesEvent) {
        switch event {
        case .invoiceIssued(let invoice):
            invoices[invoice.invoiceId] = InvoiceAccount(issued: invoice)
            invoiceNumbers[invoice.number] = invoice.invoiceId
        case .paymentReceived(let payment):
            paymentIds.insert(payment.paymentId)
            for allocation in payment.allocations {
                invoices[allocation.invoiceId]?.allocatedMinor += Int128(allocation.amountMinor)
                invoices[allocation.invoiceId]?.reductions.append(
                    InvoiceAccount.Reduction(on: payment.receivedOn, amountMinor: allocation.amountMinor))
            }
            if payment.unappliedMinor > 0 {
                unappliedMinor[payment.currency, default: 0] += Int128(payment.unappliedMinor)
            }
        case .creditNoteIssued(let credit):
            creditNoteIds.insert(credit.creditNoteId)
            invoices[credit.invoiceId]?.creditedMinor += Int128(credit.amountMinor)
            invoices[credit.invoiceId]?.reductions.append(
                InvoiceAccount.Reduction(on: credit.issuedOn, amountMinor: credit.amountMinor))
        case .invoiceWrittenOff(let writeOff):
            invoices[writeOff.invoiceId]?.writtenOffOn = writeOff.writtenOffOn
            invoices[writeOff.invoiceId]?.writtenOffMinor = writeOff.amountMinor
        case .paymentPromised(let promise):
            promiseIds.insert(promise.promiseId)
        case .paymentReminderSent(let reminder):
            reminderIds.insert(reminder.reminderId)
        default:
            break
        }
    }
}
