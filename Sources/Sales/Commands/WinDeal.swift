public import Foundation
public import JSON

/// Record that a deal was won (`POST /v1/deals/{dealId}/win`).
public struct WinDeal: Sendable, Equatable {
    public var dealId: UUID
    public var wonOn: LocalDate

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(dealId: UUID, wonOn: LocalDate) {
        self.dealId = dealId
        self.wonOn = wonOn
    }

    /// Validates a request body for the deal of the path: `wonOn`.
    public static func parse(_ body: JSONValue, dealId: UUID) throws(ValidationFailure) -> WinDeal {
        var fields = CommandFields(body)
        let wonOn = fields.required("wonOn", .date)
        fields.rejectUnknownKeys()
        guard let wonOn, fields.errors.isEmpty else { throw fields.failure }
        return WinDeal(dealId: dealId, wonOn: wonOn)
    }
}
