import Foundation
import Sales

/// A validated command of the sales domain, ready to be recorded: the one input of
/// ``CommandRecorder``, whether it came from an HTTP request or a line of `touchstone import`.
public enum SalesCommand: Sendable, Equatable {
    case registerClient(RegisterClient)
    case recordTouch(RecordTouch)
    case openDeal(OpenDeal)
    case moveDealStage(MoveDealStage)
    case makeOffer(MakeOffer)
    case raiseObjection(RaiseObjection)
    case handleObjection(HandleObjection)
    case agreeConcession(AgreeConcession)
    case winDeal(WinDeal)
    case loseDeal(LoseDeal)
    case placeOrder(PlaceOrder)
    case issueInvoice(IssueInvoice)
    case receivePayment(ReceivePayment)
    case issueCreditNote(IssueCreditNote)
    case writeOffInvoice(WriteOffInvoice)
    case definePipeline(DefinePipeline)
}
