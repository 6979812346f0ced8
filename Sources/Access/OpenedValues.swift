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

    private struct Kept {
        var byKey: [UUID: [String: String]] = [:]
        var count = 0
    }

    private let kept = Mutex(Kept())

    /// The plaintext of `sealed`, sealed with the key `keyID`, if this process opened it before.
    func text(of sealed: String, keyID: UUID) -> String? {
        kept.withLock { $0.byKey[keyID]?[sealed] }
    }

    /// Keeps `text`, the plaintext of `sealed`.
    func keep(_ text: String, of sealed: String, keyID: UUID) {
        kept.withLock { kept in
            if kept.count >= Self.limit { kept = Kept() }
            if kept.byKey[keyID, default: [:]].updateValue(text, forKey: sealed) == nil { kept.count += 1 }
        }
    }

    /// Drops every value sealed with one of `keyIDs` (their keys were deleted).
    func forget(keyIDs: some Sequence<UUID>) {
        kept.withLock { kept in
            for id in keyIDs { kept.count -= kept.byKey.removeValue(forKey: id)?.count ?? 0 }
        }
    }
}
