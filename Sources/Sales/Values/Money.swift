/// An amount of money: a whole number of minor units (kopecks, cents, fils…) in one ISO 4217
/// currency. Never a float. `Money(amountMinor: 150000, currency: RUB)` is 1 500.00 RUB.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    /// The amount in minor units of `currency`.
    public let amountMinor: Int64
    /// The currency of the amount.
    public let currency: Currency

    /// An amount of `amountMinor` minor units of `currency`.
    public init(amountMinor: Int64, currency: Currency) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// The sum of two amounts of the same currency; throws on a currency mismatch or when the sum
    /// leaves the 64-bit range (it never traps).
    public func adding(_ other: Money) throws(MoneyArithmeticError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
        let (sum, overflow) = amountMinor.addingReportingOverflow(other.amountMinor)
        guard !overflow else { throw .overflow }
        return Money(amountMinor: sum, currency: currency)
    }

    /// The difference of two amounts of the same currency; throws on a currency mismatch or when
    /// the difference leaves the 64-bit range (it never traps).
    public func subtracting(_ other: Money) throws(MoneyArithmeticError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
        let (difference, overflow) = amountMinor.subtractingReportingOverflow(other.amountMinor)
        guard !overflow else { throw .overflow }
        return Money(amountMinor: difference, currency: currency)
    }

    /// The amount in major units with the currency's decimal places, then the code:
    /// `1500.00 RUB`, `-0.05 EUR`, `1500 JPY`, `1.250 KWD`.
    public var description: String {
        let digits = String(amountMinor.magnitude)
        let sign = amountMinor < 0 ? "-" : ""
        guard currency.minorUnits > 0 else { return sign + digits + " " + currency.code }
        let padded = String(repeating: "0", count: max(0, currency.minorUnits + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -currency.minorUnits)
        return sign + padded[..<split] + "." + padded[split...] + " " + currency.code
    }
}
