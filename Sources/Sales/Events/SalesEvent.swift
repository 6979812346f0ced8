public import Foundation
public import JSON

/// Every fact of the sales domain, one case per event type of `docs/events.md`.
///
/// An event knows its stable `type`, its `schemaVersion`, the `clientId` it concerns (for the
/// store's `client_id` column), its business time `occurredAt` and the `stream` it is appended to.
/// `encode()` writes the payload; `decode(type:schemaVersion:data:upcasters:)` reads it back.
public enum SalesEvent: Sendable, Equatable {
    case clientRegistered(ClientRegistered)
    case touchRecorded(TouchRecorded)
    case orderPlaced(OrderPlaced)
    case dealOpened(DealOpened)
    case dealStageMoved(DealStageMoved)
    case offerMade(OfferMade)
    case objectionRaised(ObjectionRaised)
    case objectionHandled(ObjectionHandled)
    case concessionAgreed(ConcessionAgreed)
    case dealWon(DealWon)
    case dealLost(DealLost)
    case dealQualified(DealQualified)
    case invoiceIssued(InvoiceIssued)
    case paymentReceived(PaymentReceived)
    case creditNoteIssued(CreditNoteIssued)
    case invoiceWrittenOff(InvoiceWrittenOff)
    case paymentPromised(PaymentPromised)
    case paymentReminderSent(PaymentReminderSent)
    case pipelineDefined(PipelineDefined)
    case clientPersonalDataErased(ClientPersonalDataErased)

    /// Every payload type, in catalogue order.
    public static let payloadTypes: [any SalesEventPayload.Type] = [
        ClientRegistered.self, TouchRecorded.self, OrderPlaced.self, DealOpened.self, DealStageMoved.self,
        OfferMade.self, ObjectionRaised.self, ObjectionHandled.self, ConcessionAgreed.self, DealWon.self,
        DealLost.self, InvoiceIssued.self, PaymentReceived.self, CreditNoteIssued.self, InvoiceWrittenOff.self,
        PaymentPromised.self, PaymentReminderSent.self, PipelineDefined.self, ClientPersonalDataErased.self,
        DealQualified.self,
    ]

    /// The payload type stored under the type name `type`, or nil for a name this domain does not know.
    public static func payloadType(named type: String) -> (any SalesEventPayload.Type)? {
        payloadTypes.first { $0.eventType == type }
    }

    /// The payload.
    public var payload: any SalesEventPayload {
        switch self {
        case .clientRegistered(let payload): payload
        case .touchRecorded(let payload): payload
        case .orderPlaced(let payload): payload
        case .dealOpened(let payload): payload
        case .dealStageMoved(let payload): payload
        case .offerMade(let payload): payload
        case .objectionRaised(let payload): payload
        case .objectionHandled(let payload): payload
        case .concessionAgreed(let payload): payload
        case .dealWon(let payload): payload
        case .dealLost(let payload): payload
        case .dealQualified(let payload): payload
        case .invoiceIssued(let payload): payload
        case .paymentReceived(let payload): payload
        case .creditNoteIssued(let payload): payload
        case .invoiceWrittenOff(let payload): payload
        case .paymentPromised(let payload): payload
        case .paymentReminderSent(let payload): payload
        case .pipelineDefined(let payload): payload
        case .clientPersonalDataErased(let payload): payload
        }
    }

    /// The stable type name, e.g. `DealStageMoved`.
    public var type: String {
        Swift.type(of: payload).eventType
    }

    /// The schema version the payload is written in.
    public var schemaVersion: Int {
        Swift.type(of: payload).schemaVersion
    }

    /// The client the event concerns; nil only for `PipelineDefined`.
    public var clientId: UUID? {
        switch self {
        case .clientRegistered(let event): event.clientId
        case .touchRecorded(let event): event.clientId
        case .orderPlaced(let event): event.clientId
        case .dealOpened(let event): event.clientId
        case .dealStageMoved(let event): event.clientId
        case .offerMade(let event): event.clientId
        case .objectionRaised(let event): event.clientId
        case .objectionHandled(let event): event.clientId
        case .concessionAgreed(let event): event.clientId
        case .dealWon(let event): event.clientId
        case .dealLost(let event): event.clientId
        case .dealQualified(let event): event.clientId
        case .invoiceIssued(let event): event.clientId
        case .paymentReceived(let event): event.clientId
        case .creditNoteIssued(let event): event.clientId
        case .invoiceWrittenOff(let event): event.clientId
        case .paymentPromised(let event): event.clientId
        case .paymentReminderSent(let event): event.clientId
        case .pipelineDefined: nil
        case .clientPersonalDataErased(let event): event.clientId
        }
    }

    /// When it happened in business terms, as the catalogue's `occurredAt` column says: a touch's
    /// own instant and an erasure's; for every other event 00:00Z of its business date.
    public var occurredAt: Instant {
        switch self {
        case .touchRecorded(let event): event.occurredAt
        case .clientPersonalDataErased(let event): event.erasedAt
        default: Instant(startOf: businessDate)
        }
    }

    /// The business date: the date field of the event, or the UTC date of a touch's instant. A
    /// report as of a date counts the events whose business date is on or before it.
    public var businessDate: LocalDate {
        switch self {
        case .clientRegistered(let event): event.registeredOn
        case .touchRecorded(let event): event.occurredAt.utcDate
        case .orderPlaced(let event): event.placedOn
        case .dealOpened(let event): event.openedOn
        case .dealStageMoved(let event): event.movedOn
        case .offerMade(let event): event.offeredOn
        case .objectionRaised(let event): event.raisedOn
        case .objectionHandled(let event): event.handledOn
        case .concessionAgreed(let event): event.agreedOn
        case .dealWon(let event): event.wonOn
        case .dealLost(let event): event.lostOn
        case .dealQualified(let event): event.assessedOn
        case .invoiceIssued(let event): event.issuedOn
        case .paymentReceived(let event): event.receivedOn
        case .creditNoteIssued(let event): event.issuedOn
        case .invoiceWrittenOff(let event): event.writtenOffOn
        case .paymentPromised(let event): event.madeOn
        case .paymentReminderSent(let event): event.sentOn
        case .pipelineDefined(let event): event.definedOn
        case .clientPersonalDataErased(let event): event.erasedAt.utcDate
        }
    }

    /// The stream the event is appended to.
    public var stream: StreamName {
        switch self {
        case .clientRegistered(let event): .client(event.clientId)
        case .touchRecorded(let event): .client(event.clientId)
        case .orderPlaced(let event): .client(event.clientId)
        case .dealOpened(let event): .deal(event.dealId)
        case .dealStageMoved(let event): .deal(event.dealId)
        case .offerMade(let event): .deal(event.dealId)
        case .objectionRaised(let event): .deal(event.dealId)
        case .objectionHandled(let event): .deal(event.dealId)
        case .concessionAgreed(let event): .deal(event.dealId)
        case .dealWon(let event): .deal(event.dealId)
        case .dealLost(let event): .deal(event.dealId)
        case .dealQualified(let event): .deal(event.dealId)
        case .invoiceIssued(let event): .receivables(event.clientId)
        case .paymentReceived(let event): .receivables(event.clientId)
        case .creditNoteIssued(let event): .receivables(event.clientId)
        case .invoiceWrittenOff(let event): .receivables(event.clientId)
        case .paymentPromised(let event): .receivables(event.clientId)
        case .paymentReminderSent(let event): .receivables(event.clientId)
        case .pipelineDefined(let event): .pipeline(event.pipeline)
        case .clientPersonalDataErased(let event): .client(event.clientId)
        }
    }

    /// The payload as a JSON value.
    public var json: JSONValue {
        payload.json
    }

    /// Whether the event holds a value in one of its type's `personalFields`.
    public var carriesPersonalData: Bool {
        carriesPersonalData(in: json)
    }

    /// Whether `json`, this event's payload (``json``, given by a caller that already made it),
    /// holds a value in one of its type's `personalFields`.
    public func carriesPersonalData(in json: JSONValue) -> Bool {
        let fields = Swift.type(of: payload).personalFields
        guard !fields.isEmpty, let members = json.objectValue else { return false }
        return fields.contains { members[$0] != nil }
    }

    /// The payload as deterministic JSON: keys sorted, no whitespace, optional fields left out,
    /// ids lowercase. The same event always gives the same bytes.
    public func encode() -> Data {
        payload.json.serialized()
    }
}
