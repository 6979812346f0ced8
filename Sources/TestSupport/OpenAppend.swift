public import EventStore
import Foundation
public import PQ

/// The scene of the ordering proofs: an append of two events left open (its transaction not yet
/// committed) on a connection of its own, while five single-event appends to other new streams
/// commit after it and so take higher positions.
public struct OpenAppend {
    /// The connection whose transaction holds the append.
    public let connection: Connection
    /// The positions the open append took.
    public let positions: [Int64]

    /// Opens the append on `database` with `event()` as each event, then commits the five others.
    public init(on database: TestDatabase, event: () -> NewEvent) async throws {
        connection = try Connection(conninfo: database.url)
        try connection.execute("BEGIN")
        positions = try EventStore.append(
            on: connection, to: try StreamID("client-\(UUID().uuidString.lowercased())"), expected: .noStream,
            events: [event(), event()]
        ).positions
        for _ in 0..<5 {
            _ = try await database.store.append(
                to: try StreamID("client-\(UUID().uuidString.lowercased())"), expected: .noStream, events: [event()])
        }
    }

    /// Commits the open append.
    public func commit() throws {
        try connection.execute("COMMIT")
    }
}
