import Access
import Crypto
import Foundation
import Hummingbird
import Sales

/// Applies the `Idempotency-Key` rules to one `POST`: the key is scoped to (token subject,
/// method, path) and bound to a hash of the normalised JSON body; a retry with the same body gets
/// the first 2xx answer back and executes nothing, another body is 422. Only 2xx answers are
/// remembered: a refused or failed request abandons the key so a retry is judged afresh.
struct IdempotencyGuard: Sendable {
    /// Where keys and first answers are kept.
    let records: any IdempotencyRecording
    /// Where replays are counted.
    let metrics: ServiceMetrics

    /// Runs `execute` (a command whose answer is 201 with the returned document) under the
    /// request's key, if it has one.
    func run(
        request: Request, identity: TokenIdentity, body: JSONValue,
        execute: () async throws -> JSONValue
    ) async throws -> Response {
        guard let key = request.headers[.idempotencyKey] else { return try await execute().response(status: .created) }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem(
                status: 400, code: "malformed-idempotency-key", title: "Bad Request",
                detail: "the Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        let scope = IdempotencyScope(subject: identity.subject, method: request.method.rawValue, path: request.uri.path)
        let hash = SHA256.hash(data: body.serialized()).map { String(format: "%02x", $0) }.joined()
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
            let answer: JSONValue
            do {
                answer = try await execute()
            } catch {
                try await records.abandon(scope: scope, key: key)
                throw error
            }
            try await records.complete(
                scope: scope, key: key,
                response: StoredResponse(
                    status: HTTPResponse.Status.created.code, contentType: "application/json",
                    body: Array(answer.serialized())))
            return answer.response(status: .created)
        }
    }
}
extension HTTPFields.Element.Name {
    /// `Idempotency-Key`.
    static let idempotencyKey = HTTPFields.Element.Name("Idempotency-Key")!
    /// `Idempotent-Replayed`: `true` on an answer replayed from the first request.
    static let idempotentReplayed = HTTPFields.Element.Name("Idempotent-Replayed")!
}
