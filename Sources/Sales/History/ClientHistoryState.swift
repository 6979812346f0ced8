public import Foundation

/// The derived state of one client that `GET /v1/clients/{clientId}/history` shows beside its
/// events: a pure fold over the events of the client's streams (`client-`, `deal-` of its deals,
/// `receivables-`) in log order.
///
/// **As of a date, as known at an instant.** The caller drops the events recorded after `knownAt`
/// (the store's `recordedAt`, which events do not carry) and passes the rest in log order to
/// `replay(_:through:)` with `asOf`; the fold then ignores every event whose `businessDate` is after
/// `asOf`. The domain's date rules keep such a cut consistent: deal events are not dated before
/// their deal was opened, payments only reach invoices issued by their value date, credit notes and
/// write-offs are not dated before their invoice. The result is the state at the end of `asOf`: the
/// stage each deal was in, open balances after payments received and credit notes issued by then
/// (a write-off by then makes an invoice zero), purchases and touches by then.
public struct ClientHistoryState: Sendable, Equatable {
    /// The client's id, once registered.
    public internal(set) var clientId: UUID?
    /// The client's name; nil before registration or once erased.
    public internal(set) var name: String?
    /// Person or company.
    public internal(set) var kind: ClientKind?
    /// The registration date.
    public internal(set) var registeredOn: LocalDate?
    /// The deals neither won nor lost, by id.
    public internal(set) var openDeals: [UUID: OpenDealProgress] = [:]
    /// How many deals were won.
    public internal(set) var wonDeals = 0
    /// How many deals were lost.
    public internal(set) var lostDeals = 0
    /// The client's invoices, open balances and unapplied credit.
    public internal(set) var receivables = ReceivablesState()
    /// The latest `occurredAt` of a touch.
    public internal(set) var lastTouchAt: Instant?
    /// How many orders the client placed.
    public internal(set) var orderCount = 0
    /// The distinct days the client placed orders on.
    public internal(set) var purchaseDates: Set<LocalDate> = []
    /// The sum of the client's orders per currency (lifetime value).
    public internal(set) var lifetimeValue: [Currency: Int128] = [:]

    /// The state before any event.
    public static let initial = ClientHistoryState()

    /// Folds `events` (log order, already filtered by `knownAt`) from `initial`, leaving out the
    /// events whose business date is after `asOf` when one is given.
    public static func replay(_ events: some Sequence<SalesEvent>, through asOf: LocalDate? = nil) -> ClientHistoryState
    {
        var state = initial
        for event in events where asOf.map({ event.businessDate <= $0 }) ?? true {
            state.apply(event)
        }
        return state
    }

    /// Applies one event of the client's streams.
    public mutating func apply(_ event: SalesEvent) {
        switch event {
        case .clientRegistered(let registered):
            clientId = registered.clientId
            name = registered.name.isEmpty ? nil : registered.name
            kind = registered.kind
            registeredOn = registered.registeredOn
        case .touchRecorded(let touch):
            lastTouchAt = max(lastTouchAt ?? touch.occurredAt, touch.occurredAt)
        case .orderPlaced(let order):
            orderCount += 1
            purchaseDates.insert(order.placedOn)
            lifetimeValue[order.currency, default: 0] += Int128(order.amountMinor)
        case .dealOpened(let opened):
            openDeals[opened.dealId] = OpenDealProgress(opened)
        case .dealStageMoved(let moved):
            openDeals[moved.dealId]?.stage = moved.stage
            openDeals[moved.dealId]?.stageEnteredOn = moved.movedOn
        case .offerMade(let offer):
            guard var deal = openDeals[offer.dealId], deal.latestOfferOn.map({ offer.offeredOn >= $0 }) ?? true else {
                break
            }
            deal.amountMinor = offer.amountMinor
            deal.latestOfferOn = offer.offeredOn
            openDeals[offer.dealId] = deal
        case .dealWon(let won):
            if openDeals.removeValue(forKey: won.dealId) != nil { wonDeals += 1 }
        case .dealLost(let lost):
            if openDeals.removeValue(forKey: lost.dealId) != nil { lostDeals += 1 }
        case .invoiceIssued, .paymentReceived, .creditNoteIssued, .invoiceWrittenOff, .paymentPromised,
            .paymentReminderSent:
            receivables.apply(event)
        case .objectionRaised, .objectionHandled, .concessionAgreed, .dealQualified, .pipelineDefined,
            .clientPersonalDataErased:
            break
        }
    }

    /// The sum of the open balances of the client's invoices, per currency.
    public var balanceOwed: [Currency: Int128] {
        receivables.invoices.values.reduce(into: [:]) { sums, account in
            sums[account.issued.currency, default: 0] += Int128(account.openBalanceMinor)
        }
    }

    /// The client's unapplied credit per currency (never netted against `balanceOwed`).
    public var unappliedCredit: [Currency: Int128] {
        receivables.unappliedMinor
    }

    /// The UTC date of the last touch.
    public var lastTouchOn: LocalDate? {
        lastTouchAt?.utcDate
    }

    /// The first day the client bought.
    public var firstPurchaseOn: LocalDate? {
        purchaseDates.min()
    }

    /// The last day the client bought.
    public var lastPurchaseOn: LocalDate? {
        purchaseDates.max()
    }

    /// The state in the answer's shape.
    public var summary: ClientHistorySummary {
        ClientHistorySummary(self)
    }
}
