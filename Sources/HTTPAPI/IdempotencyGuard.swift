import Access
import Crypto
import Foundation
import Hummingbird
import JSON
import Recording
import Sales

/// Applies the `Idempotency-Key` rules to one `POST`: the key is scoped to (token subject,
/// method, path) and bound to a hash of the normalised JSON body; a retry with the same body gets
/// the first 2xx answer back and executes nothing, another body is 422. Only 2xx answers are
/// remembered: a refused or failed request abandons the key so a retry is judged afresh.
///
/// A command's answer is also stored with its events, under a receipt key digested from the
/// scope, key and body (``receiptKey(scope:key:requestHash:)``): when the connection is lost while
/// the command commits, the request fails (503) and abandons its key not knowing whether it
/// committed, and the retry is then answered from the receipt if it did, so it is never recorded
/// twice.
struct IdempotencyGuard: Sendable {
    /// Where keys and first answers are kept.
    let records: any IdempotencyRecording
    /// Where replays are counted.
    let metrics: ServiceMetrics

    /// Runs `execute` (a command whose answer is 201 with the returned document) under the
    /// request's key, if it has one; `execute` is given the receipt key (nil without a key) and
    /// tells whether its answer is an earlier attempt's.
    func run(
        request: Request, identity: TokenIdentity, body: JSONValue,
        execute: (_ receiptKey: String?) async throws -> RecordingAnswer
    ) async throws -> Response {
        guard let key = request.headers[.idempotencyKey] else {
            return try await execute(nil).document.response(status: .created)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem(
                status: 400, code: "malformed-idempotency-key", title: "Bad Request",
                detail: "the Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        let scope = IdempotencyScope(subject: identity.subject, method: request.method.rawValue, path: request.uri.path)
        let hash = Self.digest(body.serialized())
        switch try await records.begin(scope: scope, key: key, requestHash: hash) {
        case .replay(let stored):
            metrics.idempotentReplay()
            var headers = HTTPFields()
            headers[.contentType] = stored.contentType
            headers[.idempotentReplayed] = "true"
            return Response(
                status: HTTPResponse.Status(code: stored.status), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body)))
        case .keyReusedWithDifferentBody:
            throw Problem(
                status: 422, code: "idempotency-key-reused", title: "Idempotency key reused",
                detail: "this Idempotency-Key was used with a different body")
        case .proceed:
            // The claim is renewed while the command runs (three times per lease), so a slow
            // request is never taken over by a retry as if its process had died.
            let lease = records.claimLease
            let renewal = Task { [records] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: lease / 3)
                    if Task.isCancelled { return }
                    // A renewal that fails (the database busy a moment) is tried again next time.
                    try? await records.renew(scope: scope, key: key)
                }
            }
            defer { renewal.cancel() }
            let answer: RecordingAnswer
            do {
                answer = try await execute(Self.receiptKey(scope: scope, key: key, requestHash: hash))
            } catch {
                try await records.abandon(scope: scope, key: key)
                throw error
            }
            try await records.complete(
                scope: scope, key: key,
                response: StoredResponse(
                    status: HTTPResponse.Status.created.code, contentType: "application/json",
                    body: Array(answer.document.serialized())))
            guard answer.replayed else { return answer.document.response(status: .created) }
            metrics.idempotentReplay()
            var response = answer.document.response(status: .created)
            response.headers[.idempotentReplayed] = "true"
            return response
        }
    }

    /// The receipt key of a request: a SHA-256 digest of its scope, key and body hash, so another
    /// subject, path or body never meets its receipt.
    static func receiptKey(scope: IdempotencyScope, key: String, requestHash: String) -> String {
        digest(Data([scope.subject, scope.method, scope.path, key, requestHash].joined(separator: "\u{0}").utf8))
    }

    /// The SHA-256 digest of `data` in lowercase hex.
    static func digest(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
extension HTTPFields.Element.Name {
    /// `Idempotency-Key`.
    static let idempotencyKey = HTTPFields.Element.Name("Idempotency-Key")!
    /// `Idempotent-Replayed`: `true` on an answer replayed from the first request.
    static let idempotentReplayed = HTTPFields.Element.Name("Idempotent-Replayed")!
}
