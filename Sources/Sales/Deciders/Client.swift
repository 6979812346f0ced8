import Foundation
import HexText

/// The client aggregate (stream `client-<clientId>`): registration, touches and orders, as a
/// decider: `initialState`, `evolve`, `decide`.
///
/// Rules: a client is registered once; touches and orders need a registered client; a `dealId`
/// given with a touch or an order must name an opened deal of that same client (the caller passes
/// that deal's `DealState`, folded from `deal-<dealId>`); order ids are unique. Touch ids are
/// unique too, but a client touched daily for years would make a state that grows with every
/// touch: a touch id the caller chose is claimed by the recording path instead (claim scope
/// `touch`, refused as `duplicate-touch`), and the state does not hold them.
public enum Client {
    /// The state of a client stream with no events.
    public static let initialState = ClientState()

    /// The state after `event`; events of other aggregates leave it unchanged.
    public static func evolve(_ state: ClientState, _ event: SalesEvent) -> ClientState {
        var state = state
        switch event {
        case .clientRegistered(let registered):
            state.clientId = registered.clientId
            state.registeredOn = registered.registeredOn
        case .orderPlaced(let order):
            state.orderIds.insert(order.orderId)
        default:
            break
        }
        return state
    }

    /// Registers the client once.
    /// - Throws: `client-already-registered` (409).
    public static func decide(_ command: RegisterClient, state: ClientState) throws(SalesRuleViolation) -> [SalesEvent]
    {
        guard !state.isRegistered else {
            throw SalesRuleViolation(
                .clientAlreadyRegistered, "client \(command.clientId.canonical) is already registered",
                field: "clientId"
            )
        }
        return [
            ClientRegistered(
                clientId: command.clientId, name: command.name, kind: command.kind, email: command.email,
                phone: command.phone, source: command.source, temperature: command.temperature,
                registeredOn: command.registeredOn
            ).event
        ]
    }

    /// Records a touch. `deal` is the state of the deal the touch names (ignored when it names none).
    /// The uniqueness of a chosen touch id is claimed by the caller (see the type's rules).
    /// - Throws: `client-not-found` (404), `deal-not-found` (404), `deal-of-other-client` (422).
    public static func decide(
        _ command: RecordTouch, state: ClientState, deal: DealState = Deal.initialState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        try requireRegistered(state, command.clientId)
        try requireDeal(command.dealId, ofClient: command.clientId, in: deal)
        return [
            TouchRecorded(
                touchId: command.touchId, clientId: command.clientId, dealId: command.dealId, channel: command.channel,
                direction: command.direction, occurredAt: command.occurredAt, summary: command.summary,
                outcome: command.outcome, nextStep: command.nextStep
            ).event
        ]
    }

    /// Records an order. `deal` is the state of the deal the order names (ignored when it names none).
    /// - Throws: `client-not-found` (404), `deal-not-found` (404), `deal-of-other-client` (422),
    ///   `amount-not-positive` (422), `duplicate-order` (409).
    public static func decide(
        _ command: PlaceOrder, state: ClientState, deal: DealState = Deal.initialState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        try requireRegistered(state, command.clientId)
        try requireDeal(command.dealId, ofClient: command.clientId, in: deal)
        try SalesRuleViolation.requirePositive(command.amountMinor)
        guard !state.orderIds.contains(command.orderId) else {
            throw SalesRuleViolation(
                .duplicateOrder, "order \(command.orderId.canonical) is already recorded", field: "orderId"
            )
        }
        return [
            OrderPlaced(
                orderId: command.orderId, clientId: command.clientId, dealId: command.dealId,
                placedOn: command.placedOn,
                amountMinor: command.amountMinor, currency: command.currency
            ).event
        ]
    }

    /// Throws `client-not-found` unless `state` is the registered client `clientId`.
    static func requireRegistered(
        _ state: ClientState, _ clientId: UUID, field: String? = nil
    ) throws(SalesRuleViolation) {
        guard state.isRegistered(as: clientId) else {
            throw SalesRuleViolation(.clientNotFound, "client \(clientId.canonical) is not registered", field: field)
        }
    }

    /// Throws unless `dealId` is nil or names an opened deal of the client `clientId`.
    private static func requireDeal(
        _ dealId: UUID?, ofClient clientId: UUID, in deal: DealState
    ) throws(SalesRuleViolation) {
        guard let dealId else { return }
        guard let opening = deal.opening, opening.dealId == dealId else {
            throw SalesRuleViolation(.dealNotFound, "deal \(dealId.canonical) does not exist", field: "dealId")
        }
        guard opening.clientId == clientId else {
            throw SalesRuleViolation(
                .dealOfOtherClient, "deal \(dealId.canonical) belongs to another client", field: "dealId"
            )
        }
    }
}
