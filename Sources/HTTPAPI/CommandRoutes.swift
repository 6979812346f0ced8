import Access
import Foundation
import Hummingbird
import Recording
import Sales

/// The `POST` routes of the contract's commands: each checks the role, reads and validates the
/// body, records the command through ``CommandRecorder`` under the request's `Idempotency-Key`,
/// and answers 201 with the entity id under its own name and `streamVersion`.
struct CommandRoutes: Sendable {
    /// The path from a validated command to appended events.
    let recorder: CommandRecorder
    /// The `Idempotency-Key` rules.
    let idempotency: IdempotencyGuard

    /// Registers every command route on `router`.
    func register(on router: Router<APIRequestContext>) {
        command(router, "/v1/clients", .recordSales) { body, _ in
            .registerClient(try RegisterClient.parse(body, recordedAt: Instant(Date())))
        }
        command(router, "/v1/clients/{clientId}/touches", .recordSales) { body, context in
            .recordTouch(try RecordTouch.parse(body, clientId: try context.pathID("clientId")))
        }
        command(router, "/v1/clients/{clientId}/orders", .recordSales) { body, context in
            .placeOrder(try PlaceOrder.parse(body, clientId: try context.pathID("clientId")))
        }
        command(router, "/v1/deals", .recordSales) { body, _ in .openDeal(try OpenDeal.parse(body)) }
        command(router, "/v1/deals/{dealId}/stage", .recordSales) { body, context in
            .moveDealStage(try MoveDealStage.parse(body, dealId: try context.pathID("dealId")))
        }
        command(router, "/v1/deals/{dealId}/offers", .recordSales) { body, context in
            .makeOffer(try MakeOffer.parse(body, dealId: try context.pathID("dealId")))
        }
        command(router, "/v1/deals/{dealId}/objections", .recordSales) { body, context in
            .raiseObjection(try RaiseObjection.parse(body, dealId: try context.pathID("dealId")))
        }
        command(router, "/v1/deals/{dealId}/objections/{objectionId}/outcome", .recordSales) { body, context in
            .handleObjection(
                try HandleObjection.parse(
                    body, dealId: try context.pathID("dealId"), objectionId: try context.pathID("objectionId")))
        }
        command(router, "/v1/deals/{dealId}/concessions", .recordSales) { body, context in
            .agreeConcession(try AgreeConcession.parse(body, dealId: try context.pathID("dealId")))
        }
        command(router, "/v1/deals/{dealId}/win", .recordSales) { body, context in
            .winDeal(try WinDeal.parse(body, dealId: try context.pathID("dealId")))
        }
        command(router, "/v1/deals/{dealId}/lose", .recordSales) { body, context in
            .loseDeal(try LoseDeal.parse(body, dealId: try context.pathID("dealId")))
        }
        command(router, "/v1/invoices", .recordReceivables) { body, _ in .issueInvoice(try IssueInvoice.parse(body)) }
        command(router, "/v1/payments", .recordReceivables) { body, _ in
            .receivePayment(try ReceivePayment.parse(body))
        }
        command(router, "/v1/invoices/{invoiceId}/credit-notes", .recordReceivables) { body, context in
            .issueCreditNote(try IssueCreditNote.parse(body, invoiceId: try context.pathID("invoiceId")))
        }
        command(router, "/v1/invoices/{invoiceId}/write-off", .recordReceivables) { body, context in
            .writeOffInvoice(try WriteOffInvoice.parse(body, invoiceId: try context.pathID("invoiceId")))
        }
        command(router, "/v1/pipelines", .administer) { body, _ in
            .definePipeline(try Self.definePipeline(body))
        }
    }

    private func command(
        _ router: Router<APIRequestContext>, _ path: RouterPath, _ permission: Permission,
        parse: @escaping @Sendable (JSONValue, APIRequestContext) throws -> SalesCommand
    ) {
        router.post(path) { [recorder, idempotency] request, context -> Response in
            let identity = try context.require(permission)
            let body = try await CommandBody(request: request, context: context)
            return try await idempotency.run(request: request, identity: identity, body: body.json) {
                let command = try parse(body.json, context)
                return try await recorder.record(command, actor: identity.subject).answer
            }
        }
    }

    /// `POST /v1/pipelines` names the pipeline `name` (the domain's command calls it `pipeline`).
    static func definePipeline(_ body: JSONValue) throws -> DefinePipeline {
        guard var members = body.objectValue else {
            return try DefinePipeline.parse(body, recordedAt: Instant(Date()))
        }
        if members["pipeline"] != nil {
            throw ValidationFailure(errors: [FieldError(field: "pipeline", message: "is not a known field")])
        }
        if let name = members.removeValue(forKey: "name") { members["pipeline"] = name }
        do {
            return try DefinePipeline.parse(.object(members), recordedAt: Instant(Date()))
        } catch {
            throw ValidationFailure(
                errors: error.errors.map { error in
                    guard error.field == "pipeline" else { return error }
                    return FieldError(field: "name", message: error.message)
                })
        }
    }
}

extension RecordedCommand {
    /// The 201 answer: the entity id under its own name, `streamVersion`, and for a payment its
    /// `allocations`.
    var answer: JSONValue {
        var members: [String: JSONValue] = [entityKey: .string(entityID), "streamVersion": .integer(streamVersion)]
        if let allocations {
            members["allocations"] = .array(allocations.map(\.json))
            members["unappliedMinor"] = .integer(unappliedMinor ?? 0)
        }
        if let stages { members["stages"] = .array(stages.map(JSONValue.string)) }
        return .object(members)
    }
}

extension APIRequestContext {
    /// The UUID in the path parameter `name` (404 when it is not a UUID: nothing has that id).
    func pathID(_ name: String) throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else {
            throw Problem(
                status: 404, code: "not-found", title: "Not Found", detail: "'\(name)' in the path is not a known id")
        }
        return id
    }
}
