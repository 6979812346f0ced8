import Foundation
import PQ
import Sales

extension ReportWindow {
    /// `asOf` as a bind, to cast with `::date`.
    var asOfText: String { asOf.description }

    /// `knownAt` as a bind, to cast with `::timestamptz` (`infinity` when absent).
    var knownAtText: String { knownAt?.description ?? "infinity" }
}

extension Row {
    /// A `date` column as a `LocalDate`.
    func date(_ name: String) throws -> LocalDate? {
        guard let text: String = try decodeOptional(name) else { return nil }
        return LocalDate(text)
    }

    /// A `numeric` sum that must fit in 64 bits.
    func amount(_ name: String) throws -> Int64 {
        guard let text: String = try decodeOptional(name) else { return 0 }
        guard let value = Int64(text) else { throw ProjectionError.amountOverflow }
        return value
    }
}

/// Adds amounts, refusing to overflow.
func adding(_ lhs: Int64, _ rhs: Int64) throws -> Int64 {
    let (sum, overflow) = lhs.addingReportingOverflow(rhs)
    if overflow { throw ProjectionError.amountOverflow }
    return sum
}
