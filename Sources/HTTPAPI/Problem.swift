public import Access
import Foundation
public import Hummingbird
public import JSON
public import Sales

/// An RFC 9457 problem: what every 4xx and 5xx answer carries as `application/problem+json`.
///
/// `type` is `https://touchstone.dev/problems/<code>`, where `code` is a stable kebab-case name
/// clients may branch on (the domain's rule codes, `validation-failed`, `unauthorized`, …).
public struct Problem: Error, Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The stable kebab-case code that `type` names.
    public var code: String
    /// A short summary of the problem class.
    public var title: String
    /// A sentence about this occurrence; never internal error text.
    public var detail: String
    /// The offending fields, for validation failures.
    public var errors: [FieldError]
    /// Seconds after which a retry may succeed, sent as `Retry-After`.
    public var retryAfter: Int?

    /// A problem of `status` and `code`.
    public init(
        status: Int, code: String, title: String, detail: String, errors: [FieldError] = [], retryAfter: Int? = nil
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
    }

    /// The problem's `type` URI.
    public var type: String { "https://touchstone.dev/problems/\(code)" }

    /// 401: no valid bearer token.
    public static let unauthorized = Problem(
        status: 401, code: "unauthorized", title: "Unauthorized",
        detail: "send a valid token as 'Authorization: Bearer <token>'")

    /// 403: the role may not call this operation.
    public static func forbidden(_ role: Role) -> Problem {
        Problem(
            status: 403, code: "forbidden", title: "Forbidden",
            detail: "the role '\(role.rawValue)' may not call this operation")
    }

    /// 422: a body or query that fails validation, one entry per field.
    public static func validation(_ failure: ValidationFailure) -> Problem {
        Problem(
            status: 422, code: "validation-failed", title: "Validation failed",
            detail: "the request has \(failure.errors.count) invalid field(s)", errors: failure.errors)
    }

    /// 422: one invalid query parameter or field.
    public static func invalidField(_ field: String, _ message: String) -> Problem {
        validation(ValidationFailure(errors: [FieldError(field: field, message: message)]))
    }

    /// The status of a domain rule's kind (missing 404, conflict 409, invalid 422) with its code.
    public static func rule(_ violation: SalesRuleViolation) -> Problem {
        Problem(
            status: status(of: violation.kind), code: violation.code.rawValue,
            title: Self.title(of: violation.code.rawValue),
            detail: violation.detail,
            errors: violation.field.map { [FieldError(field: $0, message: violation.detail)] } ?? [])
    }

    /// The HTTP status of a kind of rule violation.
    static func status(of kind: SalesRuleViolation.Kind) -> Int {
        switch kind {
        case .missing: 404
        case .conflict: 409
        case .invalid: 422
        }
    }

    /// 500 with a generic detail (the cause is only logged).
    public static let internalError = Problem(
        status: 500, code: "internal-error", title: "Internal Server Error",
        detail: "the server failed to answer; the failure was logged")

    /// 503: the database is unreachable or the service is shutting down.
    public static let unavailable = Problem(
        status: 503, code: "service-unavailable", title: "Service Unavailable",
        detail: "the service cannot answer now; retry later")

    /// 503: the request's database connection was lost or could not be made (PostgreSQL restarting,
    /// a failover moving the primary): the pool connects again, to the new primary when
    /// `DATABASE_URL` names several hosts with `target_session_attrs=read-write`, so a retry after
    /// `Retry-After` seconds (with the same `Idempotency-Key` for a command) may succeed.
    public static let databaseUnavailable = Problem(
        status: 503, code: "service-unavailable", title: "Service Unavailable",
        detail: "the database cannot be reached now; retry later", retryAfter: 2)

    /// 503: a statement of the request ran longer than the server's statement timeout
    /// (`TOUCHSTONE_STATEMENT_TIMEOUT`) and PostgreSQL cancelled it (SQLSTATE 57014).
    public static let statementTimeout = Problem(
        status: 503, code: "statement-timeout", title: "Service Unavailable",
        detail: "the request took longer than the server allows and was cancelled; retry later or ask for less",
        retryAfter: 5)

    /// 503: every database connection stayed busy for the pool's lease timeout
    /// (`TOUCHSTONE_POOL_LEASE_TIMEOUT`), or too many requests already waited for one
    /// (`TOUCHSTONE_POOL_MAX_WAITING`).
    public static let busy = Problem(
        status: 503, code: "server-busy", title: "Service Unavailable",
        detail: "every database connection is busy; retry later", retryAfter: 1)

    /// 503: this server reads a hot standby (``ServingMode/replica``) and records nothing; or the
    /// database refused a write because it is read-only now (SQLSTATE 25006, e.g. a primary being
    /// demoted in a failover). The same request sent to a server on the primary, or retried after
    /// `Retry-After` seconds through a load balancer that routes writes there, can succeed.
    public static let readOnlyReplica = Problem(
        status: 503, code: "read-only-replica", title: "Service Unavailable",
        detail: "this server reads a read-only replica and records nothing; send commands to a server on the primary",
        retryAfter: 5)

    /// The problem for one of Hummingbird's own errors (404, 405, 413, 400, …).
    public static func http(_ status: HTTPResponse.Status, detail: String? = nil) -> Problem {
        let code: String
        let text: String
        switch status.code {
        case 400: (code, text) = ("bad-request", "the request is malformed")
        case 404: (code, text) = ("not-found", "no such resource")
        case 405: (code, text) = ("method-not-allowed", "this method is not allowed on this resource")
        case 413: (code, text) = ("content-too-large", "the body is larger than 1 MiB")
        case 415: (code, text) = ("unsupported-media-type", "the body must be application/json")
        case 503: (code, text) = ("service-unavailable", "the service cannot answer now; retry later")
        default:
            (code, text) = (
                status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-"), status.reasonPhrase
            )
        }
        return Problem(status: status.code, code: code, title: status.reasonPhrase, detail: detail ?? text)
    }

    /// The problem as a JSON document.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .integer(status), "detail": .string(detail),
        ]
        if !errors.isEmpty {
            members["errors"] = .array(
                errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        }
        return .object(members)
    }

    /// The problem as an `application/problem+json` response.
    public var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.serialized())))
    }

    private static func title(of code: String) -> String {
        let words = code.split(separator: "-").map(String.init)
        return words.enumerated().map { $0.offset == 0 ? $0.element.capitalized : $0.element }.joined(separator: " ")
    }
}
