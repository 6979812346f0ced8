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
        guard let type = request.headers[.contentType].map(Self.mediaType),
            type == "application/json" || type.hasSuffix("+json")
        else {
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

    /// The media type of a `Content-Type` value: what comes before its first parameter, without
    /// the spaces and tabs around it, lowercased. Read on the UTF-8 bytes: Foundation's trimming
    /// cost about 1% of the server's CPU under load.
    static func mediaType(_ contentType: String) -> String {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        while let first = type.first, isBlank(first) { type = type.dropFirst() }
        while let last = type.last, isBlank(last) { type = type.dropLast() }
        return String(decoding: type, as: UTF8.self).lowercased()
    }
}
