public import Foundation

/// One stream's part of an append to several streams at once (``EventStore/append(_:)``): its
/// events, the version the stream must be at, the client they concern, the claims they take
/// and the receipt they store.
public struct StreamAppend: Sendable, Equatable {
    /// The stream appended to.
    public var stream: StreamID
    /// The version it must be at when this part's events are appended.
    public var expected: ExpectedVersion
    /// The events, in order.
    public var events: [NewEvent]
    /// The client the events concern (the `client_id` column).
    public var clientID: UUID?
    /// Business keys this part takes for its stream.
    public var claims: [Claim]
    /// The request's answer, stored with the events (only ``EventStore/append(to:expected:events:clientID:claims:receipt:)``
    /// takes one; a bulk append of segments stores none).
    public var receipt: AppendReceipt?
    /// Whether the events' ids were made for this attempt, so no earlier attempt can have stored
    /// them: a stream not at the expected version is then a conflict at once, without looking for
    /// a replay of the same batch (two queries saved on every conflict).
    public var newIDs: Bool
    /// The data keys (`personal_data_keys`) this part's personal values are sealed with, when the
    /// sealer took them from memory: the part is written only if every one's row is still there,
    /// and those rows stay locked (`FOR KEY SHARE`) until it commits, so an erasure deleting one
    /// either came first (the part is refused as if its stream had moved, and nothing is written)
    /// or waits for this commit.
    public var sealingKeyIDs: [UUID]

    public init(
        stream: StreamID, expected: ExpectedVersion, events: [NewEvent], clientID: UUID? = nil, claims: [Claim] = [],
        receipt: AppendReceipt? = nil, newIDs: Bool = false, sealingKeyIDs: [UUID] = []
    ) {
        self.stream = stream
        self.expected = expected
        self.events = events
        self.clientID = clientID
        self.claims = claims
        self.receipt = receipt
        self.newIDs = newIDs
        self.sealingKeyIDs = sealingKeyIDs
    }
}
