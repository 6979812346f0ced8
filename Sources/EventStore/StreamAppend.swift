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

    public init(
        stream: StreamID, expected: ExpectedVersion, events: [NewEvent], clientID: UUID? = nil, claims: [Claim] = [],
        receipt: AppendReceipt? = nil, newIDs: Bool = false
    ) {
        self.stream = stream
        self.expected = expected
        self.events = events
        self.clientID = clientID
        self.claims = claims
        self.receipt = receipt
        self.newIDs = newIDs
    }
}
