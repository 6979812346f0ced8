public import Foundation
public import JSON

/// A lead was assessed by the seed's three criteria: the client's `problem` we solve (personal
/// text), the date `decisionBy` which they decide, and the budget they can spend (`budgetMinor` in
/// `currency`). A criterion left out is still unknown; the deal is qualified as of a date when its
/// latest assessment on or before it knows all three.
/// Event type `DealQualified`, stream `deal-<dealId>`.
public struct DealQualified: SalesEventPayload {
    public static let eventType = "DealQualified"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["problem"]
    public static let requiredPersonalFields: Set<String> = []

    public let dealId: UUID
    public let clientId: UUID
    public let assessedOn: LocalDate
    public let problem: String?
    public let decisionBy: LocalDate?
    public let budgetMinor: Int64?
    public let currency: Currency?

    /// The payload with these fields; `budget` gives `budgetMinor` and `currency`.
    public init(
        dealId: UUID, clientId: UUID, assessedOn: LocalDate, problem: String? = nil, decisionBy: LocalDate? = nil,
        budget: Money? = nil
    ) {
        self.dealId = dealId
        self.clientId = clientId
        self.assessedOn = assessedOn
        self.problem = problem
        self.decisionBy = decisionBy
        self.budgetMinor = budget?.amountMinor
        self.currency = budget?.currency
    }

    /// Whether the assessment knows all three criteria (the problem as recorded: an erased one
    /// was known all the same).
    public var knowsAllCriteria: Bool { problem != nil && decisionBy != nil && budgetMinor != nil }

    public var json: JSONValue {
        .object(omittingNil: [
            "dealId": dealId.json,
            "clientId": clientId.json,
            "assessedOn": assessedOn.json,
            "problem": problem.map(JSONValue.string),
            "decisionBy": decisionBy?.json,
            "budgetMinor": budgetMinor.map(JSONValue.integer),
            "currency": currency?.json,
        ])
    }

    public var event: SalesEvent { .dealQualified(self) }
}
