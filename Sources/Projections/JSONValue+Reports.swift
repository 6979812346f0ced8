import Foundation
import JSON
import Sales

extension JSONValue {
    /// A fraction or measure as a JSON number rounded to `places` decimals.
    static func decimal(_ value: Double, places: Int) -> JSONValue {
        let scale = pow(10, Double(places))
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 {
            return .number(JSONNumber(Int64(rounded)))
        }
        var literal = String(format: "%.\(places)f", rounded)
        while literal.hasSuffix("0") { literal.removeLast() }
        return .number(JSONNumber(literal: literal) ?? JSONNumber(0))
    }

    /// A date as `YYYY-MM-DD`, or null.
    static func date(_ date: LocalDate?) -> JSONValue {
        date.map { .string($0.description) } ?? .null
    }

    /// `[{currency, amountMinor}]` in currency order.
    static func money(_ amounts: [String: Int64]) -> JSONValue {
        .array(amounts.keys.sorted().map { .object(["currency": .string($0), "amountMinor": .integer(amounts[$0]!)]) })
    }
}
