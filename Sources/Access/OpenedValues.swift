import Foundation
import Synchronization

/// Personal values this process has opened, by their sealed text, under the id of the data key
/// that sealed them: a board or a list read again opens each value once, not on every read (an
/// AES-GCM opening and a base64 decoding per value were most of a large board's time).
///
/// A kept value is only ever given back by a ``PersonalDataOpener`` that holds its key, read from
/// the database for that answer, so an erasure (which deletes the key) still takes effect at once
/// in every process; this process also drops the values of a key it erases. At most ``limit``
/// values are kept; past it the memory starts again.
final class OpenedValues: Sendable {
    /// How many values are kept at most (a few tens of megabytes of short texts).
    static let limit = 200_000

    /// A value kept: the id of the key that sealed it, and its plaintext.
    struct Value {
        let keyID: UUID
        let text: String
    }

    private struct Kept {
        /// Opened values by sealed text: one lookup answers a value seen before, its key id with it.
        var bySealed: [String: Value] = [:]
        /// The sealed texts kept for each key, so that an erasure drops them.
        var sealedByKey: [UUID: [String]] = [:]
    }

    private let kept = Mutex(Kept())

    /// The value kept for `sealed`, if this process opened it before.
    func value(of sealed: String) -> Value? {
        kept.withLock { $0.bySealed[sealed] }
    }

    /// The values kept for each of `sealed`, in its order, looked up under one lock.
    func values(of sealed: [String?]) -> [Value?] {
        kept.withLock { kept in sealed.map { $0.flatMap { kept.bySealed[$0] } } }
    }

    /// Keeps `text` as the opening of `sealed`, sealed with key `keyID`.
    func keep(_ text: String, of sealed: String, keyID: UUID) {
        kept.withLock { kept in
            if kept.bySealed.count >= Self.limit { kept = Kept() }
            if kept.bySealed.updateValue(Value(keyID: keyID, text: text), forKey: sealed) == nil {
                kept.sealedByKey[keyID, default: []].append(sealed)
            }
        }
    }

    /// Drops every value sealed with one of `keyIDs` (their keys were deleted).
    func forget(keyIDs: some Sequence<UUID>) {
        kept.withLock { kept in
            for id in keyIDs {
                for sealed in kept.sealedByKey.removeValue(forKey: id) ?? [] { kept.bySealed[sealed] = nil }
            }
        }
    }
}
