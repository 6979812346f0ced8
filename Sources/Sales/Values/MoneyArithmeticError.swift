/// Why adding or subtracting two `Money` values failed.
public enum MoneyArithmeticError: Error, Sendable, Equatable {
    /// The two amounts are in different currencies.
    case currencyMismatch(Currency, Currency)
    /// The result does not fit in 64 bits of minor units.
    case overflow
}
