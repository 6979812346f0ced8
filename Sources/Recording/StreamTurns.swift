import Synchronization

/// Commands of one process that decide on the same stream take turns: the second waits until
/// the first has appended (or given up), then decides on the state the first left kept.
///
/// Without turns both would decide on the same kept state, and the second's append would fail
/// its expected version, read the stream again and decide again: two more queries and a wasted
/// part of a group. Turns only save that work; the expected version still guards every append
/// (other processes, and an import, take no turn here). A command takes the turn of the first
/// stream it loads and no other, so two commands never wait for each other.
final class StreamTurns: Sendable {
    /// For each stream whose turn is taken, the commands waiting for it, first come first served.
    private let waiting = Mutex([String: [CheckedContinuation<Void, Never>]]())

    /// Waits until no other command of this process holds `stream`'s turn, and takes it.
    func take(_ stream: String) async {
        await withCheckedContinuation { continuation in
            let taken = waiting.withLock { waiting in
                guard waiting[stream] != nil else {
                    waiting[stream] = []
                    return true
                }
                waiting[stream]?.append(continuation)
                return false
            }
            if taken { continuation.resume() }
        }
    }

    /// Hands `stream`'s turn to the next command waiting for it, or frees it.
    func release(_ stream: String) {
        let next = waiting.withLock { waiting -> CheckedContinuation<Void, Never>? in
            guard var line = waiting[stream], !line.isEmpty else {
                waiting[stream] = nil
                return nil
            }
            let next = line.removeFirst()
            waiting[stream] = line
            return next
        }
        next?.resume()
    }
}

/// The turn one command holds (see ``StreamTurns``): taken at its first load, kept across its
/// attempts, released when the command ends.
final class StreamTurn {
    private let turns: StreamTurns
    private var held: String?

    init(_ turns: StreamTurns) {
        self.turns = turns
    }

    /// Takes `stream`'s turn unless this command holds one already.
    func take(_ stream: String) async {
        guard held == nil else { return }
        held = stream
        await turns.take(stream)
    }

    /// Releases the turn held, if any.
    func end() {
        if let held { turns.release(held) }
        held = nil
    }
}
