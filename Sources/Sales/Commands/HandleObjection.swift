public import Foundation
public import JSON

/// Record how an objection was handled (`POST /v1/deals/{dealId}/objections/{objectionId}/outcome`):
/// resolved or not, and what we answered.
public struct HandleObjection: Sendable, Equatable {
    public var objectionId: UUID
    public var dealId: UUID
    public var handledOn: LocalDate
    public var resolved: Bool
    public var response: String?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(objectionId: UUID, dealId: UUID, handledOn: LocalDate, resolved: Bool, response: String? = nil) {
        self.objectionId = objectionId
        self.dealId = dealId
        self.handledOn = handledOn
        self.resolved = resolved
        self.response = response
    }

    /// Validates a request body for the deal and objection of the path: `handledOn`, `resolved`;
    /// optional `response`.
    public static func parse(
        _ body: JSONValue, dealId: UUID, objectionId: UUID
    ) throws(ValidationFailure) -> HandleObjection {
        var fields = CommandFields(body)
        let handledOn = fields.required("handledOn", .date)
        let resolved = fields.required("resolved", .boolean)
        let response = fields.optional("response", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let handledOn, let resolved, fields.errors.isEmpty else { throw fields.failure }
        return HandleObjection(
            objectionId: objectionId, dealId: dealId, handledOn: handledOn, resolved: resolved, response: response
        )
    }
}
