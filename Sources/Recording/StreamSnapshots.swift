import EventStore
import Foundation
import JSON
import PQ
import Sales

/// The deciders' snapshots in PostgreSQL (`stream_snapshots`, migration 0011): one per stream and
/// decider, the latest written.
enum StreamSnapshots {
    /// The snapshot of `stream` by `State`'s decider at its current fold version, as its stream
    /// version and text; nil when there is none, or when it claims a version the stream has not
    /// reached (it is then ignored).
    static func read<State: DeciderState>(
        _ stream: StreamID, as type: State.Type, on connection: Connection
    ) throws
        -> (version: Int64, text: String)?
    {
        try connection.query(
            """
            SELECT s.stream_version, s.state FROM stream_snapshots s
              JOIN streams t ON t.stream_id = s.stream_id AND s.stream_version <= t.version
             WHERE s.stream_id = \(stream.description) AND s.decider = \(State.decider)
               AND s.fold_version = \(State.foldVersion)
            """, prepared: true
        ).first.map { (try $0.decode(0), try $0.decode(1)) }
    }

    /// Stores `state` of `stream` at `version`, replacing an earlier snapshot, one of another fold
    /// version or one claiming a version the stream has not reached, never a later one of the
    /// same fold version.
    static func write<State: DeciderState>(
        _ state: State, version: Int64, of stream: StreamID, on connection: Connection
    )
        throws
    {
        let text = String(decoding: state.snapshot.serialized(), as: UTF8.self)
        try connection.execute(
            """
            INSERT INTO stream_snapshots AS s (stream_id, decider, fold_version, stream_version, state)
            VALUES (\(stream.description), \(State.decider), \(State.foldVersion), \(version), \(text))
            ON CONFLICT (stream_id, decider) DO UPDATE
               SET fold_version = excluded.fold_version, stream_version = excluded.stream_version,
                   state = excluded.state, taken_at = now()
             WHERE s.fold_version <> excluded.fold_version OR s.stream_version < excluded.stream_version
                OR s.stream_version > (SELECT version FROM streams WHERE stream_id = excluded.stream_id)
            """, prepared: true)
    }

    /// Deletes the snapshot of `stream` by `State`'s decider (one that does not decode).
    static func delete<State: DeciderState>(_ stream: StreamID, as type: State.Type, on connection: Connection) throws {
        try connection.execute(
            "DELETE FROM stream_snapshots WHERE stream_id = \(stream.description) AND decider = \(State.decider)",
            prepared: true)
    }
}
