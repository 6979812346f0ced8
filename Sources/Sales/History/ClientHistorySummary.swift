public import Foundation
import HexText
public import JSON

/// The `state` of a client history answer: camelCase keys, money as `[{currency, amountMinor}]`
/// lists ordered by currency code (currencies with 0 left out), absent values `null`.
///
/// ```json
/// {"clientId": "…", "name": "…", "kind": "company", "registeredOn": "2026-01-10",
///  "openDeals": [{"dealId", "title", "pipeline", "stage", "stageEnteredOn", "openedOn",
///                 "amountMinor", "currency", "latestOfferOn"}],
///  "wonDeals": 1, "lostDeals": 0,
///  "balanceOwed": [{"currency": "RUB", "amountMinor": 150000}], "unappliedCredit": [],
///  "lastTouchOn": "2026-03-01", "lastTouchAt": "2026-03-01T09:30:00Z",
///  "purchases": {"orderCount": 3, "purchaseDays": 2, "firstPurchaseOn": "…", "lastPurchaseOn": "…"},
///  "ltv": [{"currency": "RUB", "amountMinor": 450000}]}
/// ```
public struct ClientHistorySummary: Sendable, Equatable, Encodable {
    public let clientId: UUID?
    public let name: String?
    public let kind: ClientKind?
    public let registeredOn: LocalDate?
    /// Ordered by `openedOn`, then `dealId`.
    public let openDeals: [OpenDealProgress]
    public let wonDeals: Int
    public let lostDeals: Int
    public let balanceOwed: [CurrencyTotal]
    public let unappliedCredit: [CurrencyTotal]
    public let lastTouchOn: LocalDate?
    public let lastTouchAt: Instant?
    public let orderCount: Int
    /// How many distinct days the client bought on.
    public let purchaseDays: Int
    public let firstPurchaseOn: LocalDate?
    public let lastPurchaseOn: LocalDate?
    public let ltv: [CurrencyTotal]

    /// The summary of `state`.
    public init(_ state: ClientHistoryState) {
        clientId = state.clientId
        name = state.name
        kind = state.kind
        registeredOn = state.registeredOn
        openDeals = state.openDeals.values.sorted {
            ($0.openedOn, $0.dealId.canonical) < ($1.openedOn, $1.dealId.canonical)
        }
        wonDeals = state.wonDeals
        lostDeals = state.lostDeals
        balanceOwed = CurrencyTotal.list(state.balanceOwed)
        unappliedCredit = CurrencyTotal.list(state.unappliedCredit)
        lastTouchOn = state.lastTouchOn
        lastTouchAt = state.lastTouchAt
        orderCount = state.orderCount
        purchaseDays = state.purchaseDates.count
        firstPurchaseOn = state.firstPurchaseOn
        lastPurchaseOn = state.lastPurchaseOn
        ltv = CurrencyTotal.list(state.lifetimeValue)
    }

    /// The summary as JSON, in the shape shown above.
    public var json: JSONValue {
        .object([
            "clientId": clientId?.json ?? .null,
            "name": name.map(JSONValue.string) ?? .null,
            "kind": kind?.json ?? .null,
            "registeredOn": registeredOn?.json ?? .null,
            "openDeals": .array(openDeals.map(\.json)),
            "wonDeals": .integer(wonDeals),
            "lostDeals": .integer(lostDeals),
            "balanceOwed": .array(balanceOwed.map(\.json)),
            "unappliedCredit": .array(unappliedCredit.map(\.json)),
            "lastTouchOn": lastTouchOn?.json ?? .null,
            "lastTouchAt": lastTouchAt?.json ?? .null,
            "purchases": .object([
                "orderCount": .integer(orderCount),
                "purchaseDays": .integer(purchaseDays),
                "firstPurchaseOn": firstPurchaseOn?.json ?? .null,
                "lastPurchaseOn": lastPurchaseOn?.json ?? .null,
            ]),
            "ltv": .array(ltv.map(\.json)),
        ])
    }

    /// Encodes `json`.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
