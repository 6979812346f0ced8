import Hummingbird
import Sales

extension JSONValue {
    /// The document as an `application/json` response of `status`.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: serialized())))
    }

    /// A string, or `null` when absent.
    static func string(orNull text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }
}
