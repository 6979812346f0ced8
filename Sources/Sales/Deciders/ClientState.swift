public import Foundation

/// What the client stream knows about one client: whether it is registered, and the ids of its
/// touches and orders (so a repeated id is refused).
public struct ClientState: Sendable, Equatable {
    /// The client's id once `ClientRegistered` was applied; nil before.
    public internal(set) var clientId: UUID?
    /// The client's registration date.
    public internal(set) var registeredOn: LocalDate?
    /// Every order the client placed.
    public internal(set) var orderIds: Set<UUID> = []

    /// True once the client is registered.
    public var isRegistered: Bool { clientId != nil }

    /// True when this is the state of the registered client `clientId`.
    func isRegistered(as clientId: UUID) -> Bool {
        self.clientId == clientId
    }
}
