import JSON
import Testing

@testable import Sales

@Suite("Currency and Money")
struct CurrencyAndMoneyTests {
    @Test(
        "knows each active currency's minor-unit exponent",
        arguments: [
            ("RUB", 2), ("UAH", 2), ("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("ISK", 0), ("CLP", 0), ("VND", 0),
            ("KWD", 3), ("BHD", 3), ("OMR", 3), ("TND", 3), ("IQD", 3), ("JOD", 3), ("LYD", 3), ("CLF", 4), ("UYW", 4),
            ("XOF", 0), ("XAF", 0), ("XPF", 0), ("UYI", 0), ("CHE", 2), ("XCG", 2), ("ZWG", 2), ("SLE", 2), ("VED", 2),
        ])
    func exponents(_ code: String, _ minorUnits: Int) {
        #expect(Currency(code: code)?.minorUnits == minorUnits)
    }

    @Test(
        "refuses unknown, withdrawn, unit-less and lower-case codes",
        arguments: [
            "XXX", "XTS", "XAU", "XDR", "HRK", "ZWL", "ANG", "SLL", "rub", "Rub", "RU", "RUBL", "", "ABC",
        ])
    func unknown(_ code: String) {
        #expect(Currency(code: code) == nil)
    }

    @Test("lists the whole table sorted by code")
    func all() {
        #expect(Currency.all.count == 165)
        #expect(Currency.all.map(\.code) == Currency.all.map(\.code).sorted())
        #expect(Currency.all.allSatisfy { $0.code.count == 3 && $0.code.uppercased() == $0.code })
    }

    @Test("adds and subtracts within 64 bits")
    func arithmetic() throws {
        let price = Money(amountMinor: 150_000, currency: Fixture.rub)
        let discount = Money(amountMinor: 20_050, currency: Fixture.rub)
        #expect(try price.adding(discount) == Money(amountMinor: 170_050, currency: Fixture.rub))
        #expect(try price.subtracting(discount) == Money(amountMinor: 129_950, currency: Fixture.rub))
        #expect(try discount.subtracting(price).amountMinor == -129_950)
    }

    @Test("throws instead of trapping on overflow")
    func overflow() {
        let most = Money(amountMinor: .max, currency: Fixture.usd)
        let least = Money(amountMinor: .min, currency: Fixture.usd)
        let one = Money(amountMinor: 1, currency: Fixture.usd)
        #expect(throws: MoneyArithmeticError.overflow) { try most.adding(one) }
        #expect(throws: MoneyArithmeticError.overflow) { try least.subtracting(one) }
        #expect(throws: MoneyArithmeticError.overflow) { try one.subtracting(least) }
    }

    @Test("never mixes currencies")
    func mismatch() {
        let rubles = Money(amountMinor: 100, currency: Fixture.rub)
        let dollars = Money(amountMinor: 100, currency: Fixture.usd)
        #expect(throws: MoneyArithmeticError.currencyMismatch(Fixture.rub, Fixture.usd)) { try rubles.adding(dollars) }
        #expect(throws: MoneyArithmeticError.currencyMismatch(Fixture.rub, Fixture.usd)) {
            try rubles.subtracting(dollars)
        }
    }

    @Test("writes amounts with the currency's decimal places")
    func description() {
        #expect(Money(amountMinor: 150_000, currency: Fixture.rub).description == "1500.00 RUB")
        #expect(Money(amountMinor: 5, currency: Fixture.eur).description == "0.05 EUR")
        #expect(Money(amountMinor: -5, currency: Fixture.eur).description == "-0.05 EUR")
        #expect(Money(amountMinor: 1500, currency: Fixture.jpy).description == "1500 JPY")
        #expect(Money(amountMinor: 1250, currency: Currency(code: "KWD")!).description == "1.250 KWD")
        #expect(Money(amountMinor: 1, currency: Currency(code: "CLF")!).description == "0.0001 CLF")
        #expect(Money(amountMinor: .min, currency: Fixture.usd).description == "-92233720368547758.08 USD")
    }
}
