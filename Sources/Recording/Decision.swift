import EventStore
import Sales

/// A decider's answer for one attempt: the events to append, where, at which version, with
/// which claims, and the outcome to report once appended.
struct Decision: Sendable {
    /// The claim scope that keeps invoice numbers unique across all clients.
    static let invoiceNumberScope = "invoice-number"
    /// The claim scope that maps an invoice id to its client's receivables stream.
    static let invoiceScope = "invoice"

    var stream: StreamName
    var expectedVersion: Int64
    var events: [SalesEvent]
    var claims: [Claim] = []
    var outcome: RecordedCommand

    init(
        stream: StreamName, expectedVersion: Int64, events: [SalesEvent], claims: [Claim] = [], entityKey: String,
        entityID: String
    ) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
        self.claims = claims
        outcome = RecordedCommand(entityKey: entityKey, entityID: entityID, streamVersion: expectedVersion)
    }
}
