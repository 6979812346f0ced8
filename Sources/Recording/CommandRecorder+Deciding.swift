import EventStore
import Foundation
import Sales

extension CommandRecorder {
    /// Loads what `command` needs from `streams` and lets its decider decide.
    func decide(_ command: SalesCommand, reading streams: some DecisionInputs) async throws -> Decision {
        switch command {
        case .registerClient(let command):
            let client = try await streams.load(.client(command.clientId), from: Client.initialState, Client.evolve)
            return Decision(
                stream: .client(command.clientId), expectedVersion: client.version,
                events: try Client.decide(command, state: client.state), entityKey: "clientId",
                entityID: command.clientId.canonical)
        case .recordTouch(let command):
            let client = try await streams.load(.client(command.clientId), from: Client.initialState, Client.evolve)
            let deal = try await dealState(command.dealId, reading: streams)
            return Decision(
                stream: .client(command.clientId), expectedVersion: client.version,
                events: try Client.decide(command, state: client.state, deal: deal), entityKey: "touchId",
                entityID: command.touchId.canonical)
        case .placeOrder(let command):
            let client = try await streams.load(.client(command.clientId), from: Client.initialState, Client.evolve)
            let deal = try await dealState(command.dealId, reading: streams)
            return Decision(
                stream: .client(command.clientId), expectedVersion: client.version,
                events: try Client.decide(command, state: client.state, deal: deal), entityKey: "orderId",
                entityID: command.orderId.canonical)
        case .openDeal(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            let client = try await streams.load(.client(command.clientId), from: Client.initialState, Client.evolve)
            let pipeline = try await pipelineState(command.pipeline, reading: streams)
            return Decision(
                stream: .deal(command.dealId), expectedVersion: deal.version,
                events: try Deal.decide(command, state: deal.state, client: client.state, pipeline: pipeline),
                entityKey: "dealId", entityID: command.dealId.canonical)
        case .moveDealStage(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            let pipeline = try await pipelineState(deal.state.opening?.pipeline ?? Pipeline.defaultName, reading: streams)
            return dealDecision(
                deal, try Deal.decide(command, state: deal.state, pipeline: pipeline), key: "dealId", id: command.dealId)
        case .makeOffer(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            return dealDecision(deal, try Deal.decide(command, state: deal.state), key: "offerId", id: command.offerId)
        case .raiseObjection(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            return dealDecision(
                deal, try Deal.decide(command, state: deal.state), key: "objectionId", id: command.objectionId)
        case .handleObjection(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            return dealDecision(
                deal, try Deal.decide(command, state: deal.state), key: "objectionId", id: command.objectionId)
        case .agreeConcession(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            return dealDecision(
                deal, try Deal.decide(command, state: deal.state), key: "concessionId", id: command.concessionId)
        case .winDeal(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            return dealDecision(deal, try Deal.decide(command, state: deal.state), key: "dealId", id: command.dealId)
        case .loseDeal(let command):
            let deal = try await streams.load(.deal(command.dealId), from: Deal.initialState, Deal.evolve)
            return dealDecision(deal, try Deal.decide(command, state: deal.state), key: "dealId", id: command.dealId)
        case .issueInvoice(let command):
            let receivables = try await streams.load(
                .receivables(command.clientId), from: Receivables.initialState, Receivables.evolve)
            let client = try await streams.load(.client(command.clientId), from: Client.initialState, Client.evolve)
            return Decision(
                stream: .receivables(command.clientId), expectedVersion: receivables.version,
                events: try Receivables.decide(command, state: receivables.state, client: client.state),
                claims: [
                    Claim(scope: Decision.invoiceNumberScope, key: command.number),
                    Claim(scope: Decision.invoiceScope, key: command.invoiceId.canonical),
                ],
                entityKey: "invoiceId", entityID: command.invoiceId.canonical)
        case .receivePayment(let command):
            let receivables = try await streams.load(
                .receivables(command.clientId), from: Receivables.initialState, Receivables.evolve)
            let client = try await streams.load(.client(command.clientId), from: Client.initialState, Client.evolve)
            let events = try Receivables.decide(command, state: receivables.state, client: client.state)
            var decision = Decision(
                stream: .receivables(command.clientId), expectedVersion: receivables.version, events: events,
                entityKey: "paymentId", entityID: command.paymentId.canonical)
            if case .paymentReceived(let payment) = events.first {
                decision.outcome.allocations = payment.allocations
                decision.outcome.unappliedMinor = payment.unappliedMinor
            }
            return decision
        case .issueCreditNote(let command):
            let stream = try await receivablesStream(ofInvoice: command.invoiceId, reading: streams)
            let receivables = try await streams.load(stream, from: Receivables.initialState, Receivables.evolve)
            return Decision(
                stream: stream, expectedVersion: receivables.version,
                events: try Receivables.decide(command, state: receivables.state), entityKey: "creditNoteId",
                entityID: command.creditNoteId.canonical)
        case .writeOffInvoice(let command):
            let stream = try await receivablesStream(ofInvoice: command.invoiceId, reading: streams)
            let receivables = try await streams.load(stream, from: Receivables.initialState, Receivables.evolve)
            return Decision(
                stream: stream, expectedVersion: receivables.version,
                events: try Receivables.decide(command, state: receivables.state), entityKey: "invoiceId",
                entityID: command.invoiceId.canonical)
        case .definePipeline(let command):
            let pipeline = try await streams.load(
                .pipeline(command.pipeline), from: PipelineCatalogue.initialState(for: command.pipeline),
                PipelineCatalogue.evolve)
            var decision = Decision(
                stream: .pipeline(command.pipeline), expectedVersion: pipeline.version,
                events: try PipelineCatalogue.decide(command, state: pipeline.state), entityKey: "pipeline",
                entityID: command.pipeline)
            decision.outcome.stages = command.stages
            return decision
        }
    }

    private func dealDecision(
        _ deal: (state: DealState, version: Int64), _ events: [SalesEvent], key: String, id: UUID
    ) -> Decision {
        Decision(
            stream: events.first?.stream ?? .deal(id), expectedVersion: deal.version, events: events, entityKey: key,
            entityID: id.canonical)
    }

    private func dealState(_ dealId: UUID?, reading streams: some DecisionInputs) async throws -> DealState {
        guard let dealId else { return Deal.initialState }
        return try await streams.load(.deal(dealId), from: Deal.initialState, Deal.evolve).state
    }

    private func pipelineState(_ name: String, reading streams: some DecisionInputs) async throws -> PipelineState {
        guard Pipeline.isValidKey(name) else { return PipelineCatalogue.initialState(for: name) }
        return try await streams.load(.pipeline(name), from: PipelineCatalogue.initialState(for: name), PipelineCatalogue.evolve)
            .state
    }

    private func receivablesStream(ofInvoice invoiceId: UUID, reading streams: some DecisionInputs) async throws
        -> StreamName
    {
        guard let name = try await streams.receivablesStream(ofInvoice: invoiceId) else {
            throw SalesRuleViolation(.invoiceNotFound, "invoice \(invoiceId.canonical) does not exist", field: "invoiceId")
        }
        return name
    }
}

/// Where a decision reads the streams it needs: the store itself (``CommandRecorder``), or the
/// states an import keeps of the streams it has written (``CommandImport``).
protocol DecisionInputs {
    /// The events of `stream` folded from `initial` with `evolve`, and the stream's version.
    func load<State>(
        _ stream: StreamName, from initial: State, _ evolve: @escaping (State, SalesEvent) -> State
    ) async throws -> (state: State, version: Int64)

    /// The receivables stream holding the invoice `invoiceId`; nil when no such invoice exists.
    func receivablesStream(ofInvoice invoiceId: UUID) async throws -> StreamName?
}

extension CommandRecorder: DecisionInputs {
    func receivablesStream(ofInvoice invoiceId: UUID) async throws -> StreamName? {
        try await store.stream(claiming: invoiceId.canonical, in: Decision.invoiceScope).flatMap {
            StreamName($0.description)
        }
    }
}
