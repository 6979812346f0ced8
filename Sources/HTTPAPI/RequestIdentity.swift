import Foundation
import HexText
import Hummingbird
import Logging
import Sales

/// Gives every request an id and every log line written while it runs that id as `request.id`:
/// the caller's `X-Request-Id` when it is 1 to 128 visible ASCII characters, else a new UUID. The
/// id is answered in the `X-Request-Id` header of the response, error answers included.
///
/// The id is a task-local value read by ``metadataProvider``, so loggers that are not the
/// request's own (the store's, the recorder's) add it too when they log inside the request. With
/// `LOG_LEVEL=debug` each request ends with one line: method, route pattern (never the raw path
/// or the query), status and duration.
struct RequestIdentity: RouterMiddleware {
    typealias Context = APIRequestContext

    /// The id of the request the current task serves, if any.
    @TaskLocal static var current: String?

    /// Adds `request.id` to every line logged inside a request.
    static let metadataProvider = Logger.MetadataProvider {
        current.map { ["request.id": .string($0)] } ?? [:]
    }

    func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        let given = request.headers[.requestID].flatMap { id in
            (1...128).contains(id.utf8.count) && id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) ? id : nil
        }
        let id = given ?? UUID.random().canonical
        var tagged = context
        // Hummingbird's own id on the request's logger becomes ours, so that lines agree.
        tagged.logger[metadataKey: "hb.request.id"] = .string(id)
        let context = tagged
        let start = ContinuousClock.now
        return try await Self.$current.withValue(id) {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            context.logger.debug(
                "request answered",
                metadata: [
                    "http.method": "\(request.method.rawValue)", "http.route": "\(context.endpointPath ?? "unmatched")",
                    "http.status": "\(response.status.code)", "http.duration": "\(ContinuousClock.now - start)",
                ])
            return response
        }
    }
}

extension HTTPFields.Element.Name {
    /// `X-Request-Id`.
    static let requestID = HTTPFields.Element.Name("X-Request-Id")!
}
