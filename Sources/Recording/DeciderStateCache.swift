import Foundation
public import Sales
import Synchronization

/// The deciders' states a process keeps between commands, so that deciding on a long stream
/// folds only the events appended since it last looked, and how often a state is also kept as a
/// snapshot in PostgreSQL (for a process that starts with an empty cache).
///
/// An entry is keyed by stream, decider and fold version (``DeciderState``), and holds the state
/// and the stream version it was folded at. It is a cache, never the truth: the append's expected
/// version refuses a decision made on a state another writer has moved past; the recorder then
/// reads the events after the entry's version, folds them in, and decides again, so no decision
/// is ever appended on a state the log has moved past (an entry is right at its own version: it
/// was folded from the log, or moved on by events appended at exactly that version).
///
/// Memory is bounded by `budgetBytes`, counted with each state's ``DeciderState/footprint``
/// estimate: past it, the least recently used entries are dropped down to 90% of the budget. A
/// state larger than the whole budget is not kept.
public final class DeciderStateCache: Sendable {
    /// 128 MiB: room for tens of thousands of ordinary streams or a few very long ones, well
    /// inside the 1 GiB container of `deploy/k8s`.
    public static let defaultBudgetBytes = 128 << 20
    /// A snapshot is stored when a stream has moved this many versions past its latest one.
    public static let defaultSnapshotInterval: Int64 = 200

    /// The most bytes (by the states' estimates) the entries may take.
    public let budgetBytes: Int
    /// How many versions past its snapshot a stream's state is snapshotted again; 0 never.
    public let snapshotInterval: Int64

    private struct Key: Hashable {
        let stream: String
        let decider: String
        let foldVersion: Int
    }

    private struct Entry {
        var state: any DeciderState
        var version: Int64
        var snapshotVersion: Int64
        var footprint: Int
        var lastUse: UInt64
    }

    private struct Storage {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    private let storage = Mutex(Storage())

    /// A cache of at most `budgetBytes` that asks for a snapshot every `snapshotInterval` versions.
    public init(budgetBytes: Int = defaultBudgetBytes, snapshotInterval: Int64 = defaultSnapshotInterval) {
        self.budgetBytes = max(0, budgetBytes)
        self.snapshotInterval = max(0, snapshotInterval)
    }

    /// A kept state of `stream`: the state, the version it was folded at, and the version of
    /// the stream's latest snapshot known to this process.
    public struct Kept<State: DeciderState>: Sendable {
        public let state: State
        public let version: Int64
        public let snapshotVersion: Int64
    }

    /// The state kept for `stream` by `State`'s decider at its current fold version, if any.
    public func kept<State: DeciderState>(_ stream: String, as type: State.Type) -> Kept<State>? {
        let key = Key(stream: stream, decider: State.decider, foldVersion: State.foldVersion)
        return storage.withLock { storage in
            guard var entry = storage.entries[key], let state = entry.state as? State else { return nil }
            storage.clock += 1
            entry.lastUse = storage.clock
            storage.entries[key] = entry
            return Kept(state: state, version: entry.version, snapshotVersion: entry.snapshotVersion)
        }
    }

    /// Keeps `state` of `stream` at `version`, unless a later version is kept already.
    public func keep<State: DeciderState>(_ state: State, version: Int64, snapshotVersion: Int64, of stream: String) {
        let key = Key(stream: stream, decider: State.decider, foldVersion: State.foldVersion)
        let footprint = state.footprint
        storage.withLock { storage in
            let previous = storage.entries[key]
            if let previous, previous.version > version { return }
            storage.bytes -= previous?.footprint ?? 0
            storage.entries[key] = nil
            guard footprint <= budgetBytes else { return }
            storage.clock += 1
            storage.entries[key] = Entry(
                state: state, version: version, snapshotVersion: max(snapshotVersion, previous?.snapshotVersion ?? 0),
                footprint: footprint, lastUse: storage.clock)
            storage.bytes += footprint
            if storage.bytes > budgetBytes { Self.evict(&storage, downTo: budgetBytes / 10 * 9) }
        }
    }

    /// Drops every state kept for `stream` (after a version conflict on it).
    public func forget(_ stream: String) {
        storage.withLock { storage in
            for key in storage.entries.keys.filter({ $0.stream == stream }) {
                storage.bytes -= storage.entries.removeValue(forKey: key)?.footprint ?? 0
            }
        }
    }

    /// How many states are kept, and the bytes they take by their estimates.
    public var usage: (states: Int, bytes: Int) {
        storage.withLock { ($0.entries.count, $0.bytes) }
    }

    private static func evict(_ storage: inout Storage, downTo target: Int) {
        for (key, entry) in storage.entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
            guard storage.bytes > target else { return }
            storage.entries[key] = nil
            storage.bytes -= entry.footprint
        }
    }
}
