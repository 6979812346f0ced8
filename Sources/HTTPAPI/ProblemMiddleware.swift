import Access
import EventStore
import Hummingbird
import Logging
import PQ
import Recording
import Sales

/// Turns every error under it into an `application/problem+json` answer: the domain's rule
/// violations, validation failures, Hummingbird's own 404/405/413, and anything unexpected as a
/// generic 500 whose cause is only logged (never SQL or Swift error text).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    /// The registered methods per path, to tell 405 from 404.
    let routes: RouteMethods
    /// Where refusals by a rule of the domain are counted.
    let metrics: ServiceMetrics

    func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError
            where error.status == .notFound && (context.endpointPath ?? "NotFound") == "NotFound"
        {
            let allowed = routes.allowed(for: request.uri.path)
            guard !allowed.isEmpty else { return Problem.http(.notFound).response }
            var response = Problem.http(.methodNotAllowed).response
            response.headers[.allow] = Set(allowed).sorted().joined(separator: ", ")
            return response
        } catch {
            let problem = Self.problem(for: error, logger: context.logger)
            if error is SalesRuleViolation { metrics.commandRejected(rule: problem.code) }
            return problem.response
        }
    }

    /// The problem that answers `error`.
    static func problem(for error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let failure as ValidationFailure:
            return .validation(failure)
        case let violation as SalesRuleViolation:
            return .rule(violation)
        case let window as ReportWindowError:
            return .invalidField(window.field, window.message)
        case IdempotencyKeyError.stillInProgress:
            return Problem(
                status: 409, code: "idempotency-key-in-progress", title: "Idempotency key in progress",
                detail: "a request with this Idempotency-Key is still being processed; retry later")
        case IdempotencyKeyError.malformed:
            return Problem(
                status: 400, code: "malformed-idempotency-key", title: "Bad Request",
                detail: "the Idempotency-Key must be 1 to 255 visible ASCII characters")
        case RecordingError.contention, RecordingError.receiptLost:
            logger.warning("command not recorded", metadata: ["error": "\(error)"])
            return .unavailable
        case let error as PQError where error.sqlState == "57014":
            logger.warning("statement cancelled by the statement timeout", metadata: ["error": "\(error)"])
            return .statementTimeout
        case let error as PQError where error.sqlState == "25006":
            logger.warning("the database refused a write: it is read-only", metadata: ["error": "\(error)"])
            return .readOnlyReplica
        case let error as PQError where error.kind == .poolExhausted:
            logger.warning("no database connection for the request", metadata: ["error": "\(error)"])
            return .busy
        case let error as PQError where [.connectionFailed, .connectionLost, .poolClosed].contains(error.kind):
            logger.error("database unreachable", metadata: ["error": "\(error)"])
            return .databaseUnavailable
        case let error as any HTTPResponseError:
            return .http(error.status)
        default:
            logger.error("request failed", metadata: ["error": "\(error)"])
            return .internalError
        }
    }
}
