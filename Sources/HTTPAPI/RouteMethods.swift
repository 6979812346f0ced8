import Hummingbird
import Synchronization

/// The methods registered for each route pattern, filled once the router is built, so that a
/// request for a known path with another method is answered 405 (with `Allow`) instead of 404.
final class RouteMethods: Sendable {
    private let patterns = Mutex<[(segments: [Substring], method: String)]>([])

    /// Records every route of `router`.
    func record(_ router: Router<APIRequestContext>) {
        let routes = router.routes.map { route in
            (segments: route.path.description.split(separator: "/"), method: route.method.rawValue)
        }
        patterns.withLock { $0 = routes }
    }

    /// The methods registered for a pattern matching `path` (empty when no pattern matches).
    func allowed(for path: String) -> [String] {
        let parts = path.split(separator: "/")
        return patterns.withLock { patterns in
            patterns.filter { pattern in
                pattern.segments.count == parts.count
                    && zip(pattern.segments, parts).allSatisfy { $0.first == "{" || $0.first == ":" || $0 == $1 }
            }.map(\.method)
        }
    }
}
