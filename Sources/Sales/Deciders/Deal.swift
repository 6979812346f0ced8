import Foundation
import HexText

/// The deal aggregate (stream `deal-<dealId>`) as a decider: `initialState`, `evolve`, `decide`.
///
/// Rules (a violation throws `SalesRuleViolation`, nothing is appended):
/// - opening needs a registered client and a known pipeline; the deal starts in the pipeline's
///   first stage;
/// - a stage move names a stage of the deal's pipeline other than the current one (moving back is
///   allowed), is not dated before the previous move, and moves on the same day apply in recording
///   order;
/// - a won or lost deal takes no further stage move, offer, objection, objection outcome, win or
///   loss (`deal-closed`); a concession is still recorded, since terms can be traded after the
///   decision;
/// - no deal event is dated before `openedOn`; a win or a loss is not dated before the last stage
///   move either, so that the stage it records is the stage the deal was in on that day;
/// - an objection outcome names an objection raised in this deal that has no outcome yet, and is
///   not dated before it was raised;
/// - an offer is in the deal's currency and not valid until a day before it was made;
/// - ids of offers, objections and concessions are unique within the deal;
/// - an assessment (qualification) is not dated before `openedOn`, and a won or lost deal takes
///   none (`qualification-of-closed-deal`, 422).
public enum Deal {
    /// The state of a deal stream with no events.
    public static let initialState = DealState()

    /// The state after `event`; events of other aggregates leave it unchanged.
    public static func evolve(_ state: DealState, _ event: SalesEvent) -> DealState {
        var state = state
        switch event {
        case .dealOpened(let opened):
            state.opening = opened
            state.stage = opened.stage
            state.stageEnteredOn = opened.openedOn
        case .dealStageMoved(let moved):
            state.stage = moved.stage
            state.stageEnteredOn = moved.movedOn
            state.lastMovedOn = moved.movedOn
        case .offerMade(let offer):
            state.offerIds.insert(offer.offerId)
        case .objectionRaised(let objection):
            state.objections[objection.objectionId] = ObjectionStatus(
                category: objection.category, raisedOn: objection.raisedOn
            )
        case .objectionHandled(let handled):
            state.objections[handled.objectionId]?.handledOn = handled.handledOn
            state.objections[handled.objectionId]?.resolved = handled.resolved
        case .concessionAgreed(let concession):
            state.concessionIds.insert(concession.concessionId)
        case .dealWon(let won):
            state.outcome = .won(on: won.wonOn)
        case .dealLost(let lost):
            state.outcome = .lost(on: lost.lostOn, refusedBy: lost.refusedBy)
        default:
            break
        }
        return state
    }

    /// Opens the deal. `client` is the state of `client-<clientId>`, `pipeline` the state of
    /// `pipeline-<name>` for the command's pipeline.
    /// - Throws: `client-not-found` (404), `pipeline-not-found` (404), `deal-already-exists` (409),
    ///   `amount-not-positive` (422).
    public static func decide(
        _ command: OpenDeal, state: DealState, client: ClientState, pipeline: PipelineState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        try Client.requireRegistered(client, command.clientId, field: "clientId")
        guard pipeline.name == command.pipeline, let definition = pipeline.pipeline,
            let firstStage = definition.stages.first
        else {
            throw SalesRuleViolation(
                .pipelineNotFound, "pipeline '\(command.pipeline)' is not defined", field: "pipeline")
        }
        guard !state.isOpened else {
            throw SalesRuleViolation(
                .dealAlreadyExists, "deal \(command.dealId.canonical) already exists", field: "dealId")
        }
        try SalesRuleViolation.requirePositive(command.amountMinor)
        return [
            DealOpened(
                dealId: command.dealId, clientId: command.clientId, pipeline: definition.name, stage: firstStage,
                title: command.title, amountMinor: command.amountMinor, currency: command.currency,
                openedOn: command.openedOn
            ).event
        ]
    }

    /// Moves the deal to another stage. `pipeline` is the state of the deal's pipeline stream.
    /// - Throws: `deal-not-found` (404), `deal-closed` (409), `stage-unknown` (422),
    ///   `stage-unchanged` (409), `date-before-opened` (422), `date-before-previous-move` (422).
    public static func decide(
        _ command: MoveDealStage, state: DealState, pipeline: PipelineState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        let (opening, stage) = try openDeal(state, command.dealId)
        guard pipeline.name == opening.pipeline, pipeline.pipeline?.stages.contains(command.stage) == true else {
            throw SalesRuleViolation(
                .stageUnknown, "'\(command.stage)' is not a stage of pipeline '\(opening.pipeline)'", field: "stage"
            )
        }
        guard command.stage != stage else {
            throw SalesRuleViolation(.stageUnchanged, "the deal is already in stage '\(stage)'", field: "stage")
        }
        try requireNotBeforeOpened(command.movedOn, opening, field: "movedOn")
        try requireNotBeforeLastMove(command.movedOn, state, field: "movedOn")
        return [
            DealStageMoved(
                dealId: opening.dealId, clientId: opening.clientId, from: stage, stage: command.stage,
                movedOn: command.movedOn
            ).event
        ]
    }

    /// Records an offer.
    /// - Throws: `deal-not-found` (404), `deal-closed` (409), `duplicate-offer` (409),
    ///   `amount-not-positive` (422), `currency-mismatch` (422), `date-before-opened` (422),
    ///   `valid-until-before-offered` (422).
    public static func decide(_ command: MakeOffer, state: DealState) throws(SalesRuleViolation) -> [SalesEvent] {
        let (opening, _) = try openDeal(state, command.dealId)
        guard !state.offerIds.contains(command.offerId) else {
            throw SalesRuleViolation(
                .duplicateOffer, "offer \(command.offerId.canonical) is already recorded", field: "offerId"
            )
        }
        try SalesRuleViolation.requirePositive(command.amountMinor)
        guard command.currency == opening.currency else {
            throw SalesRuleViolation(
                .currencyMismatch, "the offer is in \(command.currency) but the deal is in \(opening.currency)",
                field: "currency"
            )
        }
        try requireNotBeforeOpened(command.offeredOn, opening, field: "offeredOn")
        if let validUntil = command.validUntil, validUntil < command.offeredOn {
            throw SalesRuleViolation(
                .validUntilBeforeOffered, "validUntil \(validUntil) is before offeredOn \(command.offeredOn)",
                field: "validUntil"
            )
        }
        return [
            OfferMade(
                offerId: command.offerId, dealId: opening.dealId, clientId: opening.clientId,
                amountMinor: command.amountMinor,
                currency: command.currency, offeredOn: command.offeredOn, validUntil: command.validUntil,
                terms: command.terms
            ).event
        ]
    }

    /// Records an objection.
    /// - Throws: `deal-not-found` (404), `deal-closed` (409), `duplicate-objection` (409),
    ///   `date-before-opened` (422).
    public static func decide(_ command: RaiseObjection, state: DealState) throws(SalesRuleViolation) -> [SalesEvent] {
        let (opening, _) = try openDeal(state, command.dealId)
        guard state.objections[command.objectionId] == nil else {
            throw SalesRuleViolation(
                .duplicateObjection, "objection \(command.objectionId.canonical) is already recorded",
                field: "objectionId"
            )
        }
        try requireNotBeforeOpened(command.raisedOn, opening, field: "raisedOn")
        return [
            ObjectionRaised(
                objectionId: command.objectionId, dealId: opening.dealId, clientId: opening.clientId,
                category: command.category, raisedOn: command.raisedOn, text: command.text
            ).event
        ]
    }

    /// Records the outcome of an objection.
    /// - Throws: `deal-not-found` (404), `deal-closed` (409), `objection-not-found` (404),
    ///   `objection-already-handled` (409), `date-before-raised` (422).
    public static func decide(_ command: HandleObjection, state: DealState) throws(SalesRuleViolation) -> [SalesEvent] {
        let (opening, _) = try openDeal(state, command.dealId)
        guard let objection = state.objections[command.objectionId] else {
            throw SalesRuleViolation(
                .objectionNotFound, "objection \(command.objectionId.canonical) was not raised in this deal",
                field: "objectionId"
            )
        }
        guard !objection.isHandled else {
            throw SalesRuleViolation(
                .objectionAlreadyHandled, "objection \(command.objectionId.canonical) already has an outcome",
                field: "objectionId"
            )
        }
        guard command.handledOn >= objection.raisedOn else {
            throw SalesRuleViolation(
                .dateBeforeRaised,
                "handledOn \(command.handledOn) is before the objection was raised on \(objection.raisedOn)",
                field: "handledOn"
            )
        }
        return [
            ObjectionHandled(
                objectionId: command.objectionId, dealId: opening.dealId, clientId: opening.clientId,
                handledOn: command.handledOn, resolved: command.resolved, response: command.response
            ).event
        ]
    }

    /// Records a concession; also on a won or lost deal.
    /// - Throws: `deal-not-found` (404), `duplicate-concession` (409), `date-before-opened` (422).
    public static func decide(_ command: AgreeConcession, state: DealState) throws(SalesRuleViolation) -> [SalesEvent] {
        guard let opening = state.opening, opening.dealId == command.dealId else {
            throw dealNotFound(command.dealId)
        }
        guard !state.concessionIds.contains(command.concessionId) else {
            throw SalesRuleViolation(
                .duplicateConcession, "concession \(command.concessionId.canonical) is already recorded",
                field: "concessionId"
            )
        }
        try requireNotBeforeOpened(command.agreedOn, opening, field: "agreedOn")
        return [
            ConcessionAgreed(
                concessionId: command.concessionId, dealId: opening.dealId, clientId: opening.clientId,
                given: command.given, inReturn: command.inReturn, agreedOn: command.agreedOn
            ).event
        ]
    }

    /// Wins the deal in its current stage.
    /// - Throws: `deal-not-found` (404), `deal-closed` (409), `date-before-opened` (422),
    ///   `date-before-previous-move` (422).
    public static func decide(_ command: WinDeal, state: DealState) throws(SalesRuleViolation) -> [SalesEvent] {
        let (opening, stage) = try openDeal(state, command.dealId)
        try requireNotBeforeOpened(command.wonOn, opening, field: "wonOn")
        try requireNotBeforeLastMove(command.wonOn, state, field: "wonOn")
        return [DealWon(dealId: opening.dealId, clientId: opening.clientId, stage: stage, wonOn: command.wonOn).event]
    }

    /// Loses the deal in its current stage.
    /// - Throws: `deal-not-found` (404), `deal-closed` (409), `date-before-opened` (422),
    ///   `date-before-previous-move` (422).
    public static func decide(_ command: LoseDeal, state: DealState) throws(SalesRuleViolation) -> [SalesEvent] {
        let (opening, stage) = try openDeal(state, command.dealId)
        try requireNotBeforeOpened(command.lostOn, opening, field: "lostOn")
        try requireNotBeforeLastMove(command.lostOn, state, field: "lostOn")
        return [
            DealLost(
                dealId: opening.dealId, clientId: opening.clientId, stage: stage, lostOn: command.lostOn,
                refusedBy: command.refusedBy, reason: command.reason, criteria: command.criteria
            ).event
        ]
    }

    /// Records an assessment of the deal by problem, time and money; a later one replaces it as of
    /// its date (the read models pick the latest on or before the day asked for).
    /// - Throws: `deal-not-found` (404), `qualification-of-closed-deal` (422),
    ///   `date-before-opened` (422).
    public static func decide(_ command: QualifyDeal, state: DealState) throws(SalesRuleViolation) -> [SalesEvent] {
        let (opening, _) = try openDeal(
            state, command.dealId, refusingClosedAs: .qualificationOfClosedDeal, field: "dealId")
        try requireNotBeforeOpened(command.assessedOn, opening, field: "assessedOn")
        return [
            DealQualified(
                dealId: opening.dealId, clientId: opening.clientId, assessedOn: command.assessedOn,
                problem: command.problem, decisionBy: command.decisionBy, budget: command.budget
            ).event
        ]
    }

    /// The opening and current stage of the deal `dealId`, which must exist and be neither won nor
    /// lost (refused as `code`, about `field`: `deal-closed` for most commands).
    private static func openDeal(
        _ state: DealState, _ dealId: UUID, refusingClosedAs code: SalesRuleViolation.Code = .dealClosed,
        field: String? = nil
    ) throws(SalesRuleViolation) -> (DealOpened, String) {
        guard let opening = state.opening, opening.dealId == dealId, let stage = state.stage else {
            throw dealNotFound(dealId)
        }
        switch state.outcome {
        case .won(let day):
            throw SalesRuleViolation(code, "deal \(dealId.canonical) was won on \(day)", field: field)
        case .lost(let day, _):
            throw SalesRuleViolation(code, "deal \(dealId.canonical) was lost on \(day)", field: field)
        case nil:
            return (opening, stage)
        }
    }

    private static func dealNotFound(_ dealId: UUID) -> SalesRuleViolation {
        SalesRuleViolation(.dealNotFound, "deal \(dealId.canonical) does not exist")
    }

    private static func requireNotBeforeOpened(
        _ date: LocalDate, _ opening: DealOpened, field: String
    ) throws(SalesRuleViolation) {
        guard date >= opening.openedOn else {
            throw SalesRuleViolation(
                .dateBeforeOpened, "\(field) \(date) is before the deal was opened on \(opening.openedOn)", field: field
            )
        }
    }

    private static func requireNotBeforeLastMove(
        _ date: LocalDate, _ state: DealState, field: String
    ) throws(SalesRuleViolation) {
        if let lastMovedOn = state.lastMovedOn, date < lastMovedOn {
            throw SalesRuleViolation(
                .dateBeforePreviousMove, "\(field) \(date) is before the deal's last stage move on \(lastMovedOn)",
                field: field
            )
        }
    }
}
