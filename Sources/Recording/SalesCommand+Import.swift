import Foundation
import Sales

extension SalesCommand {
    /// The names of the commands a line of `touchstone import` may carry in its `command` field.
    public static let importNames = [
        "register-client", "record-touch", "open-deal", "move-deal-stage", "make-offer", "raise-objection",
        "handle-objection", "agree-concession", "win-deal", "lose-deal", "place-order", "issue-invoice",
        "receive-payment", "issue-credit-note", "write-off-invoice", "define-pipeline",
    ]

    /// Parses one line of an import: the HTTP body of the command plus `command` naming it and the
    /// ids of the HTTP path as body fields (`clientId`, `dealId`, `objectionId`, `invoiceId`);
    /// `define-pipeline` takes `name` as over HTTP.
    /// The same validation as the HTTP API applies.
    public static func parse(importLine line: JSONValue, recordedAt: Instant) throws(ValidationFailure) -> SalesCommand {
        guard var members = line.objectValue else {
            throw ValidationFailure(errors: [FieldError(field: "body", message: "must be a JSON object")])
        }
        guard let name = members.removeValue(forKey: "command")?.stringValue, importNames.contains(name) else {
            throw ValidationFailure(
                errors: [FieldError(field: "command", message: "must be one of \(importNames.joined(separator: ", "))")])
        }
        func pathID(_ key: String) throws(ValidationFailure) -> UUID {
            guard let text = members.removeValue(forKey: key)?.stringValue, let id = UUID(uuidString: text) else {
                throw ValidationFailure(errors: [FieldError(field: key, message: "must be a UUID")])
            }
            return id
        }
        switch name {
        case "register-client":
            return .registerClient(try RegisterClient.parse(.object(members), recordedAt: recordedAt))
        case "record-touch":
            let clientId = try pathID("clientId")
            return .recordTouch(try RecordTouch.parse(.object(members), clientId: clientId))
        case "open-deal":
            return .openDeal(try OpenDeal.parse(.object(members)))
        case "move-deal-stage":
            let dealId = try pathID("dealId")
            return .moveDealStage(try MoveDealStage.parse(.object(members), dealId: dealId))
        case "make-offer":
            let dealId = try pathID("dealId")
            return .makeOffer(try MakeOffer.parse(.object(members), dealId: dealId))
        case "raise-objection":
            let dealId = try pathID("dealId")
            return .raiseObjection(try RaiseObjection.parse(.object(members), dealId: dealId))
        case "handle-objection":
            let dealId = try pathID("dealId")
            let objectionId = try pathID("objectionId")
            return .handleObjection(try HandleObjection.parse(.object(members), dealId: dealId, objectionId: objectionId))
        case "agree-concession":
            let dealId = try pathID("dealId")
            return .agreeConcession(try AgreeConcession.parse(.object(members), dealId: dealId))
        case "win-deal":
            let dealId = try pathID("dealId")
            return .winDeal(try WinDeal.parse(.object(members), dealId: dealId))
        case "lose-deal":
            let dealId = try pathID("dealId")
            return .loseDeal(try LoseDeal.parse(.object(members), dealId: dealId))
        case "place-order":
            let clientId = try pathID("clientId")
            return .placeOrder(try PlaceOrder.parse(.object(members), clientId: clientId))
        case "issue-invoice":
            return .issueInvoice(try IssueInvoice.parse(.object(members)))
        case "receive-payment":
            return .receivePayment(try ReceivePayment.parse(.object(members)))
        case "issue-credit-note":
            let invoiceId = try pathID("invoiceId")
            return .issueCreditNote(try IssueCreditNote.parse(.object(members), invoiceId: invoiceId))
        case "write-off-invoice":
            let invoiceId = try pathID("invoiceId")
            return .writeOffInvoice(try WriteOffInvoice.parse(.object(members), invoiceId: invoiceId))
        default:
            if let named = members.removeValue(forKey: "name"), members["pipeline"] == nil { members["pipeline"] = named }
            return .definePipeline(try DefinePipeline.parse(.object(members), recordedAt: recordedAt))
        }
    }
}
