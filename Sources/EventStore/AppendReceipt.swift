import Foundation
import PQ

/// The answer to a request, stored in the same transaction as the events it appended
/// (`append_receipts`, migration 0017), so a request whose outcome was lost with its connection
/// can be told apart from one that never committed.
///
/// The key is the caller's digest of the request (for HTTP: token subject, method, path,
/// `Idempotency-Key` and body). A second append that carries a key already stored fails as a
/// whole (``EventStoreError/receiptStored(key:)``), whatever it decided, and ``EventStore/receipt(forKey:)``
/// reads the first answer back. Receipts are kept for ``retention``; older ones count as absent.
public struct AppendReceipt: Sendable, Hashable {
    /// How long a receipt is kept: the retention of an `Idempotency-Key`.
    public static let retention: Duration = .seconds(86_400)

    /// The digest of the request.
    public var key: String
    /// The answer the request got, as the caller stores it (a JSON document for HTTP).
    public var answer: String

    public init(key: String, answer: String) {
        self.key = key
        self.answer = answer
    }
}

extension EventStore {
    /// The answer stored under `key` by an append at most ``AppendReceipt/retention`` ago, if any.
    /// Each look also prunes the expired receipt of `key` and up to 100 other expired ones.
    public func receipt(forKey key: String) async throws -> String? {
        let seconds = Double(AppendReceipt.retention.components.seconds)
        // One statement: the prune's CTE runs whether or not the answer's select reads it.
        return try await pool.withConnection { connection in
            try connection.query(
                """
                WITH pruned AS (
                    DELETE FROM append_receipts
                     WHERE stored_at < now() - make_interval(secs => \(seconds))
                       AND (key = \(key) OR key = ANY (ARRAY(SELECT key FROM append_receipts
                                                        WHERE stored_at < now() - make_interval(secs => \(seconds))
                                                        ORDER BY stored_at LIMIT 100))))
                SELECT answer FROM append_receipts
                 WHERE key = \(key) AND stored_at >= now() - make_interval(secs => \(seconds))
                """, prepared: true
            ).first?.decode(0)
        }
    }
}
