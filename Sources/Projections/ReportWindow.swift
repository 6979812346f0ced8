import Foundation
import PQ
import Sales

/// The point of view of a report: as of the end of business day `asOf`,
/// counting only facts recorded at or before `knownAt` (when given).
public struct ReportWindow: Sendable, Equatable {
    /// The business day.
    public let asOf: LocalDate
    /// The recorded instant, truncated down to whole microseconds (what
    /// PostgreSQL stores), or nil for "everything recorded".
    public let knownAt: Instant?

    /// A window from query parameters. Without `asOf` it is `today` (UTC), or
    /// the UTC date of `knownAt` when only that is given.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` for an invalid date or instant.
    public init(asOf: String?, knownAt: String?, today: LocalDate = Instant(Date()).utcDate) throws {
        var known: Instant?
        if let knownAt {
            guard let instant = Instant(knownAt) else {
                throw ProjectionError.invalidParameter(field: "knownAt", message: "must be an RFC 3339 instant")
            }
            known = instant.microsecondsFloor
        }
        if let asOf {
            guard let date = LocalDate(asOf) else {
                throw ProjectionError.invalidParameter(field: "asOf", message: "must be a date YYYY-MM-DD")
            }
            self.asOf = date
        } else {
            self.asOf = known?.utcDate ?? today
        }
        self.knownAt = known
    }

    /// A window of typed values.
    public init(asOf: LocalDate, knownAt: Instant? = nil) {
        self.asOf = asOf
        self.knownAt = knownAt?.microsecondsFloor
    }

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
