/// Remembers which keyed requests ran and what they answered.
public protocol IdempotencyRecording: Sendable {
    /// Claims `key` in `scope` for a request whose normalised body hashes to
    /// `requestHash`, or tells how to answer a retry. Waits while another
    /// request holding the same key is still running.
    func begin(scope: IdempotencyScope, key: String, requestHash: String) async throws -> IdempotencyDecision
    /// Remembers the 2xx answer of a request that `begin` let proceed.
    func complete(scope: IdempotencyScope, key: String, response: StoredResponse) async throws
    /// Releases the claim of a request that did not succeed, so a retry is judged afresh.
    func abandon(scope: IdempotencyScope, key: String) async throws
    /// How long an unfinished claim holds before another request may take it over as abandoned.
    var claimLease: Duration { get }
    /// Renews the claim of a request that is still running, so that it holds for another
    /// ``claimLease``; the caller renews well within each lease.
    func renew(scope: IdempotencyScope, key: String) async throws
}
