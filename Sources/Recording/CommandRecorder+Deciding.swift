import EventStore
import Foundation
import HexText
import Sales

extension CommandRecorder {
    /// Loads what `command` needs from `streams` and lets its decider decide: the decide call of
    /// the command's catalogue entry (``CommandEntry``).
    func decide(_ command: SalesCommand, reading streams: some DecisionInputs) async throws -> Decision {
        try await command.decision(streams)
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

extension DecisionInputs {
    /// The client `id`'s stream folded by its decider, and its version.
    func client(_ id: UUID) async throws -> (state: ClientState, version: Int64) {
        try await load(.client(id), from: Client.initialState, Client.evolve)
    }

    /// The deal `id`'s stream folded by its decider, and its version.
    func deal(_ id: UUID) async throws -> (state: DealState, version: Int64) {
        try await load(.deal(id), from: Deal.initialState, Deal.evolve)
    }

    /// The state of the deal a touch or an order names; a deal that never was when it names none.
    func dealState(_ id: UUID?) async throws -> DealState {
        guard let id else { return Deal.initialState }
        return try await deal(id).state
    }

    /// A receivables stream folded by its decider, and its version.
    func receivables(_ stream: StreamName) async throws -> (state: ReceivablesState, version: Int64) {
        try await load(stream, from: Receivables.initialState, Receivables.evolve)
    }

    /// The state of the pipeline `name` (not read when the name cannot be a pipeline's).
    func pipelineState(_ name: String) async throws -> PipelineState {
        guard Pipeline.isValidKey(name) else { return PipelineCatalogue.initialState(for: name) }
        return try await load(
            .pipeline(name), from: PipelineCatalogue.initialState(for: name), PipelineCatalogue.evolve
        )
        .state
    }

    /// The receivables stream holding `invoiceId`.
    /// - Throws: `invoice-not-found` when there is none.
    func receivablesStream(holding invoiceId: UUID) async throws -> StreamName {
        guard let name = try await receivablesStream(ofInvoice: invoiceId) else {
            throw SalesRuleViolation(
                .invoiceNotFound, "invoice \(invoiceId.canonical) does not exist", field: "invoiceId")
        }
        return name
    }
}

extension CommandRecorder: DecisionInputs {
    func receivablesStream(ofInvoice invoiceId: UUID) async throws -> StreamName? {
        try await store.stream(claiming: invoiceId.canonical, in: Decision.invoiceScope).flatMap {
            StreamName($0.description)
        }
    }
}
