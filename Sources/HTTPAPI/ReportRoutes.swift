import Hummingbird
import Logging
import PQ

extension Router where Context == APIRequestContext {
    /// The hook where the report routes are registered (board, aging, retention, funnel,
    /// projections, rebuild); `buildRouter` calls it once with the application's pool and logger.
    ///
    /// Handlers check the caller's role with `try context.require(.readReports)` (or `.readAging`,
    /// `.readProjections`, `.administer`), throw ``Problem`` for every refusal (it becomes
    /// `application/problem+json`), and take `asOf`/`knownAt` through ``ReportTime``. Every route
    /// registered here must also be listed under `paths:` in `openapi.yaml` (a test checks it).
    func addReportRoutes(pool: ConnectionPool, logger: Logger) {}
}
