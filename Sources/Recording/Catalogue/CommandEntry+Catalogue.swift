import Access
import EventStore
import Foundation
import HexText
import JSON
import Sales

extension CommandEntry {
    /// The catalogue: one entry per command. The switch is exhaustive, so a new ``CommandName``
    /// does not compile until its entry is written here; the routes, the import and the recorder
    /// take everything else from the entry.
    public static func of(_ name: CommandName) -> CommandEntry {
        switch name {
        case .registerClient:
            .post(
                "/v1/clients", name, .recordSales, answers: "clientId",
                parse: { body, _, recordedAt throws(ValidationFailure) in
                    try RegisterClient.parse(body, recordedAt: recordedAt)
                },
                client: { $0.clientId }
            ) { command, streams in
                let client = try await streams.client(command.clientId)
                return Decision(
                    stream: .client(command.clientId), expectedVersion: client.version,
                    events: try Client.decide(command, state: client.state), entityID: command.clientId.canonical)
            }
        case .recordTouch:
            .onClientAndDeal(
                "/v1/clients/{clientId}/touches", name, answers: "touchId",
                parse: { body, ids, _ throws(ValidationFailure) in
                    try RecordTouch.parse(body, clientId: ids["clientId"])
                },
                client: { $0.clientId }, deal: { $0.dealId }, answer: { $0.touchId },
                claims: { $0.touchIdGiven ? [Claim(scope: Decision.touchScope, key: $0.touchId.canonical)] : [] },
                decide: { try Client.decide($0, state: $1, deal: $2) })
        case .placeOrder:
            .onClientAndDeal(
                "/v1/clients/{clientId}/orders", name, answers: "orderId",
                parse: { body, ids, _ throws(ValidationFailure) in try PlaceOrder.parse(body, clientId: ids["clientId"])
                },
                client: { $0.clientId }, deal: { $0.dealId }, answer: { $0.orderId },
                decide: { try Client.decide($0, state: $1, deal: $2) })
        case .openDeal:
            .post(
                "/v1/deals", name, .recordSales, answers: "dealId",
                parse: { body, _, _ throws(ValidationFailure) in try OpenDeal.parse(body) }, client: { $0.clientId }
            ) { command, streams in
                let deal = try await streams.deal(command.dealId)
                let client = try await streams.client(command.clientId)
                let pipeline = try await streams.pipelineState(command.pipeline)
                return Decision(
                    stream: .deal(command.dealId), expectedVersion: deal.version,
                    events: try Deal.decide(command, state: deal.state, client: client.state, pipeline: pipeline),
                    entityID: command.dealId.canonical)
            }
        case .moveDealStage:
            .post(
                "/v1/deals/{dealId}/stage", name, .recordSales, answers: "dealId",
                parse: { body, ids, _ throws(ValidationFailure) in try MoveDealStage.parse(body, dealId: ids["dealId"])
                }
            ) { command, streams in
                let deal = try await streams.deal(command.dealId)
                let pipeline = try await streams.pipelineState(deal.state.opening?.pipeline ?? Pipeline.defaultName)
                return .onDeal(
                    deal, try Deal.decide(command, state: deal.state, pipeline: pipeline), id: command.dealId)
            }
        case .makeOffer:
            .onDeal(
                "/v1/deals/{dealId}/offers", name, answers: "offerId",
                parse: { body, ids, _ throws(ValidationFailure) in try MakeOffer.parse(body, dealId: ids["dealId"]) },
                deal: { $0.dealId }, answer: { $0.offerId }, decide: { try Deal.decide($0, state: $1) })
        case .raiseObjection:
            .onDeal(
                "/v1/deals/{dealId}/objections", name, answers: "objectionId",
                parse: { body, ids, _ throws(ValidationFailure) in try RaiseObjection.parse(body, dealId: ids["dealId"])
                },
                deal: { $0.dealId }, answer: { $0.objectionId }, decide: { try Deal.decide($0, state: $1) })
        case .handleObjection:
            .onDeal(
                "/v1/deals/{dealId}/objections/{objectionId}/outcome", name, answers: "objectionId",
                parse: { body, ids, _ throws(ValidationFailure) in
                    try HandleObjection.parse(body, dealId: ids["dealId"], objectionId: ids["objectionId"])
                },
                deal: { $0.dealId }, answer: { $0.objectionId }, decide: { try Deal.decide($0, state: $1) })
        case .agreeConcession:
            .onDeal(
                "/v1/deals/{dealId}/concessions", name, answers: "concessionId",
                parse: { body, ids, _ throws(ValidationFailure) in
                    try AgreeConcession.parse(body, dealId: ids["dealId"])
                },
                deal: { $0.dealId }, answer: { $0.concessionId }, decide: { try Deal.decide($0, state: $1) })
        case .winDeal:
            .onDeal(
                "/v1/deals/{dealId}/win", name, answers: "dealId",
                parse: { body, ids, _ throws(ValidationFailure) in try WinDeal.parse(body, dealId: ids["dealId"]) },
                deal: { $0.dealId }, answer: { $0.dealId }, decide: { try Deal.decide($0, state: $1) })
        case .loseDeal:
            .onDeal(
                "/v1/deals/{dealId}/lose", name, answers: "dealId",
                parse: { body, ids, _ throws(ValidationFailure) in try LoseDeal.parse(body, dealId: ids["dealId"]) },
                deal: { $0.dealId }, answer: { $0.dealId }, decide: { try Deal.decide($0, state: $1) })
        case .qualifyDeal:
            .onDeal(
                "/v1/deals/{dealId}/qualification", name, answers: "dealId",
                parse: { body, ids, _ throws(ValidationFailure) in try QualifyDeal.parse(body, dealId: ids["dealId"]) },
                deal: { $0.dealId }, answer: { $0.dealId }, decide: { try Deal.decide($0, state: $1) })
        case .issueInvoice:
            .post(
                "/v1/invoices", name, .recordReceivables, answers: "invoiceId",
                parse: { body, _, _ throws(ValidationFailure) in try IssueInvoice.parse(body) }, client: { $0.clientId }
            ) { command, streams in
                let receivables = try await streams.receivables(.receivables(command.clientId))
                let client = try await streams.client(command.clientId)
                return Decision(
                    stream: .receivables(command.clientId), expectedVersion: receivables.version,
                    events: try Receivables.decide(command, state: receivables.state, client: client.state),
                    claims: [
                        Claim(scope: Decision.invoiceNumberScope, key: command.number),
                        Claim(scope: Decision.invoiceScope, key: command.invoiceId.canonical),
                    ],
                    entityID: command.invoiceId.canonical)
            }
        case .receivePayment:
            .post(
                "/v1/payments", name, .recordReceivables, answers: "paymentId",
                parse: { body, _, _ throws(ValidationFailure) in try ReceivePayment.parse(body) },
                client: { $0.clientId }
            ) { command, streams in
                let receivables = try await streams.receivables(.receivables(command.clientId))
                let client = try await streams.client(command.clientId)
                let events = try Receivables.decide(command, state: receivables.state, client: client.state)
                var decision = Decision(
                    stream: .receivables(command.clientId), expectedVersion: receivables.version, events: events,
                    entityID: command.paymentId.canonical)
                if case .paymentReceived(let payment) = events.first {
                    decision.outcome.allocations = payment.allocations
                    decision.outcome.unappliedMinor = payment.unappliedMinor
                }
                return decision
            }
        case .issueCreditNote:
            .onInvoice(
                "/v1/invoices/{invoiceId}/credit-notes", name, answers: "creditNoteId",
                parse: { body, ids, _ throws(ValidationFailure) in
                    try IssueCreditNote.parse(body, invoiceId: ids["invoiceId"])
                },
                invoice: { $0.invoiceId }, answer: { $0.creditNoteId },
                decide: { try Receivables.decide($0, state: $1) })
        case .writeOffInvoice:
            .onInvoice(
                "/v1/invoices/{invoiceId}/write-off", name, answers: "invoiceId",
                parse: { body, ids, _ throws(ValidationFailure) in
                    try WriteOffInvoice.parse(body, invoiceId: ids["invoiceId"])
                },
                invoice: { $0.invoiceId }, answer: { $0.invoiceId }, decide: { try Receivables.decide($0, state: $1) })
        case .promisePayment:
            .onInvoice(
                "/v1/invoices/{invoiceId}/promises", name, .recordCollections, answers: "promiseId",
                parse: { body, ids, recordedAt throws(ValidationFailure) in
                    try PromisePayment.parse(body, invoiceId: ids["invoiceId"], recordedAt: recordedAt)
                },
                invoice: { $0.invoiceId }, answer: { $0.promiseId }, decide: { try Receivables.decide($0, state: $1) })
        case .sendPaymentReminder:
            .onInvoice(
                "/v1/invoices/{invoiceId}/reminders", name, .recordCollections, answers: "reminderId",
                parse: { body, ids, _ throws(ValidationFailure) in
                    try SendPaymentReminder.parse(body, invoiceId: ids["invoiceId"])
                },
                invoice: { $0.invoiceId }, answer: { $0.reminderId }, decide: { try Receivables.decide($0, state: $1) })
        case .definePipeline:
            .post(
                "/v1/pipelines", name, .administer, answers: "pipeline",
                parse: { body, _, recordedAt throws(ValidationFailure) in
                    try DefinePipeline.parse(named: body, recordedAt: recordedAt)
                }
            ) { command, streams in
                let pipeline = try await streams.load(
                    .pipeline(command.pipeline), from: PipelineCatalogue.initialState(for: command.pipeline),
                    PipelineCatalogue.evolve)
                var decision = Decision(
                    stream: .pipeline(command.pipeline), expectedVersion: pipeline.version,
                    events: try PipelineCatalogue.decide(command, state: pipeline.state), entityID: command.pipeline)
                decision.outcome.stages = command.stages
                return decision
            }
        }
    }
}

extension CommandEntry {
    /// The entry of a command on a deal that reads nothing but the stream of the deal `deal`
    /// picks, and answers the id `answer` picks under `answerKey`.
    static func onDeal<Command: Sendable>(
        _ path: String, _ name: CommandName, answers answerKey: String,
        parse: @escaping @Sendable (JSONValue, PathIDs, Instant) throws(ValidationFailure) -> Command,
        deal: @escaping @Sendable (Command) -> UUID, answer: @escaping @Sendable (Command) -> UUID,
        decide: @escaping @Sendable (Command, DealState) throws -> [SalesEvent]
    ) -> CommandEntry {
        .post(path, name, .recordSales, answers: answerKey, parse: parse) { command, streams in
            let state = try await streams.deal(deal(command))
            return .onDeal(state, try decide(command, state.state), id: answer(command))
        }
    }

    /// The entry of a command on a client's stream that may name one of the client's deals: it
    /// reads the client's stream and the deal's, takes the claims `claims` picks, and answers the
    /// id `answer` picks under `answerKey`.
    static func onClientAndDeal<Command: Sendable>(
        _ path: String, _ name: CommandName, answers answerKey: String,
        parse: @escaping @Sendable (JSONValue, PathIDs, Instant) throws(ValidationFailure) -> Command,
        client: @escaping @Sendable (Command) -> UUID, deal: @escaping @Sendable (Command) -> UUID?,
        answer: @escaping @Sendable (Command) -> UUID, claims: @escaping @Sendable (Command) -> [Claim] = { _ in [] },
        decide: @escaping @Sendable (Command, ClientState, DealState) throws -> [SalesEvent]
    ) -> CommandEntry {
        .post(path, name, .recordSales, answers: answerKey, parse: parse, client: client) { command, streams in
            let clientId = client(command)
            let state = try await streams.client(clientId)
            let dealState = try await streams.dealState(deal(command))
            return Decision(
                stream: .client(clientId), expectedVersion: state.version,
                events: try decide(command, state.state, dealState), claims: claims(command),
                entityID: answer(command).canonical)
        }
    }

    /// The entry of a command on an invoice that reads nothing but the receivables stream holding
    /// the invoice `invoice` picks, needs `permission` (the accountant's by default), and answers the id `answer` picks under `answerKey`.
    static func onInvoice<Command: Sendable>(
        _ path: String, _ name: CommandName, _ permission: Permission = .recordReceivables, answers answerKey: String,
        parse: @escaping @Sendable (JSONValue, PathIDs, Instant) throws(ValidationFailure) -> Command,
        invoice: @escaping @Sendable (Command) -> UUID, answer: @escaping @Sendable (Command) -> UUID,
        decide: @escaping @Sendable (Command, ReceivablesState) throws -> [SalesEvent]
    ) -> CommandEntry {
        .post(path, name, permission, answers: answerKey, parse: parse) { command, streams in
            let stream = try await streams.receivablesStream(holding: invoice(command))
            let receivables = try await streams.receivables(stream)
            return Decision(
                stream: stream, expectedVersion: receivables.version,
                events: try decide(command, receivables.state), entityID: answer(command).canonical)
        }
    }
}
