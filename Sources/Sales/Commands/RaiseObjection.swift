public import Foundation
public import JSON

/// Record an objection the client raised in a deal (`POST /v1/deals/{dealId}/objections`): its
/// category and the client's own words.
public struct RaiseObjection: Sendable, Equatable {
    public var objectionId: UUID
    public var dealId: UUID
    public var category: ObjectionCategory
    public var raisedOn: LocalDate
    public var text: String?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(objectionId: UUID, dealId: UUID, category: ObjectionCategory, raisedOn: LocalDate, text: String? = nil)
    {
        self.objectionId = objectionId
        self.dealId = dealId
        self.category = category
        self.raisedOn = raisedOn
        self.text = text
    }

    /// Validates a request body for the deal of the path: `category`, `raisedOn`; optional
    /// `objectionId` (else from `makeID`) and `text`.
    public static func parse(
        _ body: JSONValue, dealId: UUID, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> RaiseObjection {
        var fields = CommandFields(body)
        let objectionId = fields.identifier("objectionId", default: makeID)
        let category = fields.required("category", FieldFormat<ObjectionCategory>.choice)
        let raisedOn = fields.required("raisedOn", .date)
        let text = fields.optional("text", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let objectionId, let category, let raisedOn, fields.errors.isEmpty else { throw fields.failure }
        return RaiseObjection(
            objectionId: objectionId, dealId: dealId, category: category, raisedOn: raisedOn, text: text)
    }
}
