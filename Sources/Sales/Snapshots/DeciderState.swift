public import JSON

/// The state of a decider that may be kept between commands: in a process's memory and as a
/// snapshot in the database, so that deciding on a long stream folds only the events after it.
///
/// A kept state is a cache, never the truth: it carries the stream version it was folded at and
/// is used under the name of its decider and the version of the code that folds it
/// (`foldVersion`); a state kept under another fold version is ignored and folded again. The
/// append's expected version is what makes deciding on a kept state safe: a stale one loses the
/// append and is folded again.
///
/// A snapshot holds no personal value, sealed or not: the deciders never read one, so the
/// encoding leaves them out (a deal's `title` reads as "" from a snapshot).
public protocol DeciderState: Sendable {
    /// The decider's name, e.g. `deal`: what a snapshot is stored under beside its stream.
    static var decider: String { get }
    /// The version of `evolve`, of the upcasters it reads through and of `snapshot`'s encoding.
    /// Raise it whenever any of them changes: every kept state of the decider is then folded
    /// again from the log.
    static var foldVersion: Int { get }
    /// The state as JSON, without personal values.
    var snapshot: JSONValue { get }
    /// A state read back from `snapshot`.
    /// - Throws: ``SnapshotDecodingError`` when it is not the shape `snapshot` writes.
    init(snapshot: JSONValue) throws(SnapshotDecodingError)
    /// About how many bytes the state takes in memory, for bounding a cache of states.
    var footprint: Int { get }
}
