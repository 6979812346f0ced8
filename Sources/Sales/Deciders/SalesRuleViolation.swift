/// A command that is well-formed but breaks a rule of the domain given the current state: the
/// decider refuses it and nothing is appended.
///
/// Each `Code` is of one `Kind` (the HTTP API answers them 404, 409 and 422):
/// - **missing** a thing the command refers to does not exist: `client-not-found`, `deal-not-found`,
///   `invoice-not-found`, `order-not-found`, `objection-not-found`, `pipeline-not-found`;
/// - **conflict** the command conflicts with what already happened: it was already done
///   (`client-already-registered`, `deal-already-exists`, `duplicate-*` ids and invoice numbers,
///   `objection-already-handled`), or the thing is in a state that takes no such command
///   (`deal-closed`, `stage-unchanged`, `invoice-written-off`, `invoice-settled`,
///   `pipeline-unchanged`);
/// - **invalid** the values break a rule of the contract: dates out of order (`date-before-opened`,
///   `date-before-previous-move`, `date-before-raised`, `date-before-issued`, `due-before-issued`,
///   `valid-until-before-offered`), `stage-unknown`, `currency-mismatch`, `deal-of-other-client`,
///   `amount-not-positive`, the allocation rule (`over-allocation`, `allocation-exceeds-balance`,
///   `duplicate-allocation`, `invoice-issued-after-payment`), `credit-exceeds-balance`,
///   `pipeline-stages-removed`, `invalid-pipeline`; collections work on an invoice that owes
///   nothing (`invoice-not-open`), a promise above the open balance (`promise-exceeds-balance`) or
///   made after the day it promises (`made-after-promised`), a reminder of an invoice that is not
///   overdue (`invoice-not-overdue`);
///   `qualification-of-closed-deal` (a won or lost deal takes no assessment: the contract answers it 422).
public struct SalesRuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule that was broken, with a stable kebab-case name for clients and problem `type`s.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case clientNotFound = "client-not-found"
        case dealNotFound = "deal-not-found"
        case invoiceNotFound = "invoice-not-found"
        case orderNotFound = "order-not-found"
        case objectionNotFound = "objection-not-found"
        case pipelineNotFound = "pipeline-not-found"

        case clientAlreadyRegistered = "client-already-registered"
        case dealAlreadyExists = "deal-already-exists"
        case duplicateTouch = "duplicate-touch"
        case duplicateOrder = "duplicate-order"
        case duplicateOffer = "duplicate-offer"
        case duplicateObjection = "duplicate-objection"
        case duplicateConcession = "duplicate-concession"
        case duplicateInvoice = "duplicate-invoice"
        case duplicateInvoiceNumber = "duplicate-invoice-number"
        case duplicatePayment = "duplicate-payment"
        case duplicateCreditNote = "duplicate-credit-note"
        case duplicatePromise = "duplicate-promise"
        case duplicateReminder = "duplicate-reminder"
        case objectionAlreadyHandled = "objection-already-handled"
        case dealClosed = "deal-closed"
        case stageUnchanged = "stage-unchanged"
        case invoiceWrittenOff = "invoice-written-off"
        case invoiceSettled = "invoice-settled"
        case pipelineUnchanged = "pipeline-unchanged"

        case stageUnknown = "stage-unknown"
        case dateBeforeOpened = "date-before-opened"
        case dateBeforePreviousMove = "date-before-previous-move"
        case dateBeforeRaised = "date-before-raised"
        case dateBeforeIssued = "date-before-issued"
        case dueBeforeIssued = "due-before-issued"
        case validUntilBeforeOffered = "valid-until-before-offered"
        case currencyMismatch = "currency-mismatch"
        case dealOfOtherClient = "deal-of-other-client"
        case amountNotPositive = "amount-not-positive"
        case overAllocation = "over-allocation"
        case allocationExceedsBalance = "allocation-exceeds-balance"
        case duplicateAllocation = "duplicate-allocation"
        case invoiceIssuedAfterPayment = "invoice-issued-after-payment"
        case creditExceedsBalance = "credit-exceeds-balance"
        case pipelineStagesRemoved = "pipeline-stages-removed"
        case invalidPipeline = "invalid-pipeline"
        case invoiceNotOpen = "invoice-not-open"
        case promiseExceedsBalance = "promise-exceeds-balance"
        case madeAfterPromised = "made-after-promised"
        case invoiceNotOverdue = "invoice-not-overdue"
        case qualificationOfClosedDeal = "qualification-of-closed-deal"

        /// Missing, conflict or invalid, as listed on `SalesRuleViolation`.
        public var kind: Kind {
            switch self {
            case .clientNotFound, .dealNotFound, .invoiceNotFound, .orderNotFound, .objectionNotFound,
                .pipelineNotFound:
                .missing
            case .clientAlreadyRegistered, .dealAlreadyExists, .duplicateTouch, .duplicateOrder, .duplicateOffer,
                .duplicateObjection, .duplicateConcession, .duplicateInvoice, .duplicateInvoiceNumber,
                .duplicatePayment, .duplicateCreditNote, .duplicatePromise, .duplicateReminder,
                .objectionAlreadyHandled, .dealClosed, .stageUnchanged,
                .invoiceWrittenOff, .invoiceSettled, .pipelineUnchanged:
                .conflict
            case .stageUnknown, .dateBeforeOpened, .dateBeforePreviousMove, .dateBeforeRaised, .dateBeforeIssued,
                .dueBeforeIssued, .validUntilBeforeOffered, .currencyMismatch, .dealOfOtherClient,
                .amountNotPositive, .overAllocation, .allocationExceedsBalance, .duplicateAllocation,
                .invoiceIssuedAfterPayment, .creditExceedsBalance, .pipelineStagesRemoved, .invalidPipeline,
                .invoiceNotOpen, .promiseExceedsBalance, .madeAfterPromised, .invoiceNotOverdue,
                .qualificationOfClosedDeal:
                .invalid
            }
        }
    }

    /// The kinds of refusal a rule gives.
    public enum Kind: Sendable, Hashable, CaseIterable {
        /// A thing the command refers to does not exist.
        case missing
        /// The command was already done, or the thing's state takes no such command.
        case conflict
        /// The values break a rule of the contract.
        case invalid
    }

    /// Which rule was broken.
    public let code: Code
    /// A sentence for people, naming the values involved.
    public let detail: String
    /// The body field (JSON key with path) the problem is about, when there is one.
    public let field: String?

    /// A violation of `code`, explained by `detail`, about `field`.
    public init(_ code: Code, _ detail: String, field: String? = nil) {
        self.code = code
        self.detail = detail
        self.field = field
    }

    /// Missing, conflict or invalid.
    public var kind: Kind { code.kind }

    /// `code: detail`.
    public var description: String { "\(code.rawValue): \(detail)" }
}
