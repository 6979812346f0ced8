/// One invoice and what has reduced it so far: allocations of payments, credit notes, a write-off.
public struct InvoiceAccount: Sendable, Equatable {
    /// An allocation of a payment (dated by its `receivedOn`) or a credit note (by its `issuedOn`).
    public struct Reduction: Sendable, Equatable {
        public let on: LocalDate
        public let amountMinor: Int64
    }

    /// The invoice as issued.
    public let issued: InvoiceIssued
    /// The sum of every allocation of a payment to it.
    public internal(set) var allocatedMinor: Int128 = 0
    /// The sum of its credit notes.
    public internal(set) var creditedMinor: Int128 = 0
    /// The day it was written off; nil while not written off.
    public internal(set) var writtenOffOn: LocalDate?
    /// The amount written off (its open balance at that time); 0 while not written off.
    public internal(set) var writtenOffMinor: Int64 = 0
    /// Every allocation and credit note with its business date, in log order.
    public internal(set) var reductions: [Reduction] = []

    /// An invoice nothing has reduced yet.
    init(issued: InvoiceIssued) {
        self.issued = issued
    }

    /// True once written off.
    public var isWrittenOff: Bool { writtenOffOn != nil }

    /// The invoice's amount minus every allocation and credit note recorded so far; 0 once written
    /// off. Never negative.
    public var openBalanceMinor: Int64 {
        guard !isWrittenOff else { return 0 }
        return Int64(clamping: max(0, Int128(issued.amountMinor) - allocatedMinor - creditedMinor))
    }

    /// The open balance as of the end of `day` by the aging rule: 0 before it is issued and once
    /// written off on or before `day`; else its amount minus the allocations of payments received
    /// and the credit notes issued on or before `day`. Never negative.
    public func openBalanceMinor(asOf day: LocalDate) -> Int64 {
        guard issued.issuedOn <= day, writtenOffOn.map({ $0 > day }) ?? true else { return 0 }
        let reduced = reductions.reduce(Int128(0)) { $1.on <= day ? $0 + Int128($1.amountMinor) : $0 }
        return Int64(clamping: max(0, Int128(issued.amountMinor) - reduced))
    }

    /// The open balance as money in the invoice's currency.
    public var openBalance: Money {
        Money(amountMinor: openBalanceMinor, currency: issued.currency)
    }
}
