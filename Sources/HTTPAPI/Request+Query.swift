import Hummingbird
import Sales

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

extension ReportWindow {
    /// The window of a read from the request's `asOf` and `knownAt` (a ``ReportWindowError``,
    /// answered 422, when one is invalid).
    init(request: Request) throws(ReportWindowError) {
        let query = request.uri.queryParameters
        try self.init(asOf: query.get("asOf"), knownAt: query.get("knownAt"))
    }
}
