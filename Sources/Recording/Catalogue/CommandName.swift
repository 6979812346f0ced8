/// The commands of the catalogue, each named as a line of `touchstone import` names it in its
/// `command` field. Adding a case makes the compiler ask for its entry in
/// ``CommandEntry/of(_:)``; nothing else needs to list the commands.
public enum CommandName: String, Sendable, CaseIterable, Hashable {
    case registerClient = "register-client"
    case recordTouch = "record-touch"
    case openDeal = "open-deal"
    case moveDealStage = "move-deal-stage"
    case makeOffer = "make-offer"
    case raiseObjection = "raise-objection"
    case handleObjection = "handle-objection"
    case agreeConcession = "agree-concession"
    case winDeal = "win-deal"
    case loseDeal = "lose-deal"
    case placeOrder = "place-order"
    case issueInvoice = "issue-invoice"
    case receivePayment = "receive-payment"
    case issueCreditNote = "issue-credit-note"
    case writeOffInvoice = "write-off-invoice"
    case promisePayment = "promise-payment"
    case sendPaymentReminder = "send-payment-reminder"
    case definePipeline = "define-pipeline"
    case qualifyDeal = "qualify-deal"
}
