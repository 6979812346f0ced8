import Foundation
import Hummingbird
import Sales

/// The two points in time every read takes from its query: `asOf` (business date, end of that
/// day) and `knownAt` (only events recorded at or before it). Without `asOf` it is today (UTC),
/// or the UTC date of `knownAt` when only that is given. An invalid value is a 422 problem.
public struct ReportTime: Sendable, Equatable {
    /// The business day the answer is as of.
    public let asOf: LocalDate
    /// The recording instant the answer stops at, compared at full precision; nil for everything.
    public let knownAt: Instant?

    /// Reads `asOf` and `knownAt` from the request's query.
    public init(request: Request, today: LocalDate = Instant(Date()).utcDate) throws(Problem) {
        let query = request.uri.queryParameters
        var knownAt: Instant?
        if let text = query.get("knownAt") {
            guard let instant = Instant(text) else {
                throw Problem.invalidField("knownAt", "must be an RFC 3339 instant such as 2026-03-01T09:30:00Z")
            }
            knownAt = instant
        }
        if let text = query.get("asOf") {
            guard let date = LocalDate(text) else {
                throw Problem.invalidField("asOf", "must be an existing date in the form YYYY-MM-DD")
            }
            asOf = date
        } else {
            asOf = knownAt?.utcDate ?? today
        }
        self.knownAt = knownAt
    }

    /// Whether an event recorded at `recordedAt` counts.
    public func knows(recordedAt: Instant) -> Bool {
        knownAt.map { recordedAt <= $0 } ?? true
    }
}

extension Request {
    /// The non-negative integer query parameter `name`, `fallback` when absent, at most `maximum`.
    func integerQuery(_ name: String, default fallback: Int64, range: ClosedRange<Int64>) throws(Problem) -> Int64 {
        guard let text = uri.queryParameters.get(name) else { return fallback }
        guard let value = Int64(text), range.contains(value) else {
            throw Problem.invalidField(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The boolean query parameter `name` (`true` or `false`), `fallback` when absent.
    func booleanQuery(_ name: String, default fallback: Bool) throws(Problem) -> Bool {
        switch uri.queryParameters.get(name) {
        case nil: fallback
        case "true": true
        case "false": false
        default: throw Problem.invalidField(name, "must be true or false")
        }
    }
}
