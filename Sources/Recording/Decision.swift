import EventStore
import Foundation
import HexText
import Sales

/// A decider's answer for one attempt: the events to append, where, at which version, with
/// which claims, and the outcome to report once appended.
struct Decision: Sendable {
    /// The claim scope that keeps invoice numbers unique across all clients.
    static let invoiceNumberScope = "invoice-number"
    /// The claim scope that maps an invoice id to its client's receivables stream.
    static let invoiceScope = "invoice"
    /// The claim scope that keeps the touch ids callers choose unique (``Client`` keeps none).
    static let touchScope = "touch"

    var stream: StreamName
    var expectedVersion: Int64
    var events: [SalesEvent]
    var claims: [Claim] = []
    /// The answer; its `entityKey` is the catalogue entry's ``CommandEntry/answerKey``, set by the
    /// entry once its decide call returns.
    var outcome: RecordedCommand

    init(stream: StreamName, expectedVersion: Int64, events: [SalesEvent], claims: [Claim] = [], entityID: String) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
        self.claims = claims
        outcome = RecordedCommand(entityKey: "", entityID: entityID, streamVersion: expectedVersion)
    }

    /// A decision on the deal stream `deal` was read from (the stream of the first event).
    static func onDeal(_ deal: (state: DealState, version: Int64), _ events: [SalesEvent], id: UUID) -> Decision {
        Decision(
            stream: events.first?.stream ?? .deal(id), expectedVersion: deal.version, events: events,
            entityID: id.canonical)
    }
}
