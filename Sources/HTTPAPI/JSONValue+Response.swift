import Foundation
import Hummingbird
import JSON
import Sales

extension JSONValue {
    /// The document as an `application/json` response of `status`.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        Response(json: serialized(), status: status)
    }
}

extension Response {
    /// An `application/json` response of `status` carrying JSON text already written.
    init(json: Data, status: HTTPResponse.Status = .ok) {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        self.init(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}
