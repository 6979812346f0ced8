public import Foundation
public import JSON

/// Record an assessment of a lead by the seed's three criteria (`POST /v1/deals/{dealId}/qualification`):
/// the client's problem we solve, the date by which they decide, and the budget they can spend.
/// A criterion absent or `null` is still unknown; a later assessment replaces an earlier one as of
/// its date.
public struct QualifyDeal: Sendable, Equatable {
    public var dealId: UUID
    public var assessedOn: LocalDate
    public var problem: String?
    public var decisionBy: LocalDate?
    public var budget: Money?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        dealId: UUID, assessedOn: LocalDate, problem: String? = nil, decisionBy: LocalDate? = nil, budget: Money? = nil
    ) {
        self.dealId = dealId
        self.assessedOn = assessedOn
        self.problem = problem
        self.decisionBy = decisionBy
        self.budget = budget
    }

    /// Validates a request body for the deal of the path: `assessedOn`; optional `problem`,
    /// `decisionBy`, and `budgetMinor` with `currency` (each needs the other; an unknown currency
    /// is refused naming `currency`).
    public static func parse(_ body: JSONValue, dealId: UUID) throws(ValidationFailure) -> QualifyDeal {
        var fields = CommandFields(body)
        let assessedOn = fields.required("assessedOn", .date)
        let problem = fields.optional("problem", .text(maxLength: TextLimit.freeText, multiline: true))
        let decisionBy = fields.optional("decisionBy", .date)
        let budgetMinor = fields.optional("budgetMinor", .positiveAmount)
        let currency = fields.optional("currency", .currency)
        fields.rejectUnknownKeys()
        var errors = fields.errors
        if budgetMinor != nil, currency == nil, !errors.contains(where: { $0.field == "currency" }) {
            errors.append(FieldError(field: "currency", message: "is required with budgetMinor"))
        }
        if currency != nil, budgetMinor == nil, !errors.contains(where: { $0.field == "budgetMinor" }) {
            errors.append(FieldError(field: "budgetMinor", message: "is required with currency"))
        }
        guard let assessedOn, errors.isEmpty else { throw ValidationFailure(errors: errors) }
        let budget = budgetMinor.flatMap { amount in currency.map { Money(amountMinor: amount, currency: $0) } }
        return QualifyDeal(
            dealId: dealId, assessedOn: assessedOn, problem: problem, decisionBy: decisionBy, budget: budget)
    }
}
