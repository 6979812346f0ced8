public import Foundation
public import JSON

/// Record that a deal was lost (`POST /v1/deals/{dealId}/lose`): the client refused us, or we
/// refused the client, why, and (when we refused) which qualification criteria the client failed.
public struct LoseDeal: Sendable, Equatable {
    public var dealId: UUID
    public var lostOn: LocalDate
    public var refusedBy: RefusedBy
    public var reason: String
    public var criteria: String?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(dealId: UUID, lostOn: LocalDate, refusedBy: RefusedBy, reason: String, criteria: String? = nil) {
        self.dealId = dealId
        self.lostOn = lostOn
        self.refusedBy = refusedBy
        self.reason = reason
        self.criteria = criteria
    }

    /// Validates a request body for the deal of the path: `lostOn`, `refusedBy`, `reason`; optional
    /// `criteria`.
    public static func parse(_ body: JSONValue, dealId: UUID) throws(ValidationFailure) -> LoseDeal {
        var fields = CommandFields(body)
        let lostOn = fields.required("lostOn", .date)
        let refusedBy = fields.required("refusedBy", FieldFormat<RefusedBy>.choice)
        let reason = fields.required("reason", .text(maxLength: TextLimit.freeText, multiline: true))
        let criteria = fields.optional("criteria", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let lostOn, let refusedBy, let reason, fields.errors.isEmpty else { throw fields.failure }
        return LoseDeal(dealId: dealId, lostOn: lostOn, refusedBy: refusedBy, reason: reason, criteria: criteria)
    }
}
