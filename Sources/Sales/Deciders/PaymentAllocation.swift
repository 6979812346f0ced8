import Foundation
import HexText

/// The decision of the allocation rule for one payment against the invoices the receivables
/// stream holds at record time (see `Receivables.decide(_:state:client:)` for `ReceivePayment`).
struct PaymentAllocation {
    /// One entry per invoice, explicit and automatic parts merged: explicitly named invoices first,
    /// in the order given, then the others in the order the automatic part reached them.
    let allocations: [Allocation]
    /// What was left after both parts: the client's unapplied credit.
    let unappliedMinor: Int64

    init(_ payment: ReceivePayment, invoices: [UUID: InvoiceAccount]) throws(SalesRuleViolation) {
        var balances = invoices.mapValues(\.openBalanceMinor)
        var allocated: [UUID: Int64] = [:]
        var order: [UUID] = []
        var remaining = payment.amountMinor

        for (index, explicit) in payment.allocations.enumerated() {
            let idField = "allocations[\(index)].invoiceId"
            let amountField = "allocations[\(index)].amountMinor"
            guard let account = invoices[explicit.invoiceId] else {
                throw SalesRuleViolation(
                    .invoiceNotFound, "invoice \(explicit.invoiceId.canonical) is not an invoice of this client",
                    field: idField
                )
            }
            let number = account.issued.number
            guard allocated[explicit.invoiceId] == nil else {
                throw SalesRuleViolation(
                    .duplicateAllocation, "invoice '\(number)' is named twice in the allocations", field: idField
                )
            }
            try SalesRuleViolation.requirePositive(explicit.amountMinor, field: amountField)
            guard account.issued.currency == payment.currency else {
                throw SalesRuleViolation(
                    .currencyMismatch,
                    "invoice '\(number)' is in \(account.issued.currency), the payment in \(payment.currency)",
                    field: idField
                )
            }
            guard account.issued.issuedOn <= payment.receivedOn else {
                throw SalesRuleViolation(
                    .invoiceIssuedAfterPayment,
                    "invoice '\(number)' was issued on \(account.issued.issuedOn), after the payment's value date \(payment.receivedOn)",
                    field: idField
                )
            }
            guard explicit.amountMinor <= account.openBalanceMinor else {
                let asked = Money(amountMinor: explicit.amountMinor, currency: payment.currency)
                throw SalesRuleViolation(
                    .allocationExceedsBalance,
                    "\(asked) exceeds the open balance \(account.openBalance) of invoice '\(number)'",
                    field: amountField
                )
            }
            guard explicit.amountMinor <= remaining else {
                throw SalesRuleViolation(
                    .overAllocation,
                    "the allocations add up to more than the payment of \(payment.amount)",
                    field: "allocations"
                )
            }
            remaining -= explicit.amountMinor
            balances[explicit.invoiceId, default: 0] -= explicit.amountMinor
            allocated[explicit.invoiceId] = explicit.amountMinor
            order.append(explicit.invoiceId)
        }

        let candidates = invoices.values
            .filter { $0.issued.currency == payment.currency && $0.issued.issuedOn <= payment.receivedOn }
            .sorted(by: PaymentAllocation.isAllocatedBefore)
        for account in candidates where remaining > 0 {
            let invoiceId = account.issued.invoiceId
            let share = min(remaining, balances[invoiceId, default: 0])
            guard share > 0 else { continue }
            remaining -= share
            if allocated[invoiceId] == nil { order.append(invoiceId) }
            allocated[invoiceId, default: 0] += share
        }

        allocations = order.compactMap { invoiceId in
            allocated[invoiceId].map { Allocation(invoiceId: invoiceId, amountMinor: $0) }
        }
        unappliedMinor = remaining
    }

    /// The order of the automatic part: earliest `dueOn`, then earliest `issuedOn`, then the lower
    /// `number` compared by Unicode code points (so `INV-10` < `INV-9` and `B` < `a`, whatever the
    /// locale).
    static func isAllocatedBefore(_ first: InvoiceAccount, _ second: InvoiceAccount) -> Bool {
        let (a, b) = (first.issued, second.issued)
        if a.dueOn != b.dueOn { return a.dueOn < b.dueOn }
        if a.issuedOn != b.issuedOn { return a.issuedOn < b.issuedOn }
        return a.number.unicodeScalars.lexicographicallyPrecedes(b.number.unicodeScalars)
    }
}
