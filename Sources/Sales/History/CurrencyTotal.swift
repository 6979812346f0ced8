public import JSON

/// A sum of money in one currency, `{"currency", "amountMinor"}`. Sums of many 64-bit amounts
/// are kept in 128 bits so that adding up a long history never overflows.
public struct CurrencyTotal: Sendable, Hashable, Encodable {
    /// The currency of the sum.
    public let currency: Currency
    /// The sum in minor units.
    public let amountMinor: Int128

    /// `amountMinor` minor units of `currency`.
    public init(currency: Currency, amountMinor: Int128) {
        self.currency = currency
        self.amountMinor = amountMinor
    }

    /// The non-zero totals of `sums`, ordered by currency code.
    static func list(_ sums: [Currency: Int128]) -> [CurrencyTotal] {
        sums.filter { $0.value != 0 }
            .sorted { $0.key < $1.key }
            .map { CurrencyTotal(currency: $0.key, amountMinor: $0.value) }
    }

    /// `{"amountMinor": …, "currency": "RUB"}`.
    public var json: JSONValue {
        .object(["currency": currency.json, "amountMinor": .integer(amountMinor)])
    }

    /// Encodes `json`.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
