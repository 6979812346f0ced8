import Foundation
import Hummingbird
import JSON
import Sales

/// A command's body as received: read up to 1 MiB, checked to be `application/json` and parsed
/// into a ``JSONValue`` (400 when it is not JSON, 413 when too large, 415 for another media type).
struct CommandBody: Sendable {
    /// The parsed document.
    let json: JSONValue

    /// Reads and parses the body of `request`.
    init(request: Request, context: APIRequestContext) async throws {
        if let type = request.headers[.contentType] {
            let mediaType = type.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard mediaType == "application/json" || mediaType?.hasSuffix("+json") == true else {
                throw Problem.http(.unsupportedMediaType)
            }
        } else {
            throw Problem.http(.unsupportedMediaType)
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > context.maxUploadSize {
            throw Problem.http(.contentTooLarge)
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            json = try JSONValue(parsing: Data(buffer.readableBytesView))
        } catch {
            throw Problem(
                status: 400, code: "malformed-json", title: "Bad Request",
                detail: "the body is not valid JSON: \(error.description)")
        }
    }
}
