/// An ISO 4217 currency with the exponent of its minor unit (RUB 2: kopecks; JPY 0; KWD 3).
///
/// Only codes of the active ISO 4217 list that have a minor unit are known (see
/// `Currency+ISO4217.swift`); anything else, including a lower-case spelling, is refused.
public struct Currency: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The three-letter alphabetic code, upper case.
    public let code: String
    /// How many decimal places the minor unit has: `amountMinor / 10^minorUnits` is the amount
    /// in major units.
    public let minorUnits: Int

    /// The currency with this exact alphabetic code, or nil when the code is not in the list.
    public init?(code: String) {
        guard let minorUnits = Currency.minorUnitsByCode[code] else { return nil }
        self.code = code
        self.minorUnits = minorUnits
    }

    /// Every known currency, ordered by code.
    public static let all: [Currency] = minorUnitsByCode.keys.sorted().compactMap { Currency(code: $0) }

    /// The code, e.g. `RUB`.
    public var description: String { code }

    /// Orders by code.
    public static func < (lhs: Currency, rhs: Currency) -> Bool {
        lhs.code < rhs.code
    }

    /// Decodes from the alphabetic code; an unknown code is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        guard let currency = Currency(code: code) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unknown ISO 4217 currency: \(code)")
        }
        self = currency
    }

    /// Encodes as the alphabetic code.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
