public import Foundation
public import JSON

/// Move a deal to another stage of its pipeline (`POST /v1/deals/{dealId}/stage`); moving back is
/// allowed.
public struct MoveDealStage: Sendable, Equatable {
    public var dealId: UUID
    public var stage: String
    public var movedOn: LocalDate

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(dealId: UUID, stage: String, movedOn: LocalDate) {
        self.dealId = dealId
        self.stage = stage
        self.movedOn = movedOn
    }

    /// Validates a request body for the deal of the path: `stage`, `movedOn`.
    public static func parse(_ body: JSONValue, dealId: UUID) throws(ValidationFailure) -> MoveDealStage {
        var fields = CommandFields(body)
        let stage = fields.required("stage", .key)
        let movedOn = fields.required("movedOn", .date)
        fields.rejectUnknownKeys()
        guard let stage, let movedOn, fields.errors.isEmpty else { throw fields.failure }
        return MoveDealStage(dealId: dealId, stage: stage, movedOn: movedOn)
    }
}
