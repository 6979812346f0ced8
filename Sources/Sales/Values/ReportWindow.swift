public import Foundation

/// The point of view of every read (the history and every report, over HTTP, on the command
/// line and in the bench): as of the end of business day `asOf`, counting only facts recorded at
/// or before `knownAt` (when given). Parsed here once; HTTP answers a ``ReportWindowError`` with
/// 422, the command line with exit 1.
public struct ReportWindow: Sendable, Equatable {
    /// The business day.
    public let asOf: LocalDate
    /// The recorded instant, truncated down to whole microseconds (what PostgreSQL stores, so a
    /// recording instant compares with it as with the instant given), or nil for "everything
    /// recorded".
    public let knownAt: Instant?

    /// A window from the texts of a query or of options. Without `asOf` it is `today` (UTC), or
    /// the UTC date of `knownAt` when only that is given.
    /// - Throws: ``ReportWindowError`` naming `asOf` or `knownAt` for an invalid date or instant.
    public init(asOf: String?, knownAt: String?, today: LocalDate = Instant(Date()).utcDate) throws(ReportWindowError) {
        var known: Instant?
        if let knownAt {
            guard let instant = Instant(knownAt) else {
                throw ReportWindowError(
                    field: "knownAt", value: knownAt,
                    message: "must be an RFC 3339 instant such as 2026-03-01T09:30:00Z")
            }
            known = instant
        }
        if let asOf {
            guard let date = LocalDate(asOf) else {
                throw ReportWindowError(
                    field: "asOf", value: asOf, message: "must be an existing date in the form YYYY-MM-DD")
            }
            self.init(asOf: date, knownAt: known)
        } else {
            self.init(asOf: known?.utcDate ?? today, knownAt: known)
        }
    }

    /// A window of typed values.
    public init(asOf: LocalDate, knownAt: Instant? = nil) {
        self.asOf = asOf
        self.knownAt = knownAt?.microsecondsFloor
    }

    /// Whether an event recorded at `recordedAt` counts.
    public func knows(recordedAt: Instant) -> Bool {
        knownAt.map { recordedAt <= $0 } ?? true
    }
}
