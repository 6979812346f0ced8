public import Foundation
public import JSON

/// Record a touch (`POST /v1/clients/{clientId}/touches`): a call, e-mail, meeting, message or
/// visit, inbound or outbound, with its outcome and the next step agreed.
public struct RecordTouch: Sendable, Equatable {
    public var touchId: UUID
    /// Whether the caller chose `touchId` (the body carried one): only such an id can repeat one
    /// already recorded, so only it is claimed when the touch is recorded.
    public var touchIdGiven: Bool
    public var clientId: UUID
    public var dealId: UUID?
    public var channel: TouchChannel
    public var direction: TouchDirection
    public var occurredAt: Instant
    public var summary: String?
    public var outcome: String?
    public var nextStep: String?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        touchId: UUID, clientId: UUID, dealId: UUID? = nil, channel: TouchChannel, direction: TouchDirection,
        occurredAt: Instant, summary: String? = nil, outcome: String? = nil, nextStep: String? = nil,
        touchIdGiven: Bool = true
    ) {
        self.touchId = touchId
        self.touchIdGiven = touchIdGiven
        self.clientId = clientId
        self.dealId = dealId
        self.channel = channel
        self.direction = direction
        self.occurredAt = occurredAt
        self.summary = summary
        self.outcome = outcome
        self.nextStep = nextStep
    }

    /// Validates a request body for the client `clientId` of the path: `channel`, `direction`,
    /// `occurredAt`; optional `touchId` (else from `makeID`), `dealId`, `summary`, `outcome`, `nextStep`.
    public static func parse(
        _ body: JSONValue, clientId: UUID, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> RecordTouch {
        var fields = CommandFields(body)
        let touchId = fields.identifier("touchId", default: makeID)
        let channel = fields.required("channel", FieldFormat<TouchChannel>.choice)
        let direction = fields.required("direction", FieldFormat<TouchDirection>.choice)
        let occurredAt = fields.required("occurredAt", .instant)
        let dealId = fields.optional("dealId", .uuid)
        let summary = fields.optional("summary", .text(maxLength: TextLimit.freeText, multiline: true))
        let outcome = fields.optional("outcome", .text(maxLength: TextLimit.freeText, multiline: true))
        let nextStep = fields.optional("nextStep", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let touchId, let channel, let direction, let occurredAt, fields.errors.isEmpty else {
            throw fields.failure
        }
        return RecordTouch(
            touchId: touchId, clientId: clientId, dealId: dealId, channel: channel, direction: direction,
            occurredAt: occurredAt, summary: summary, outcome: outcome, nextStep: nextStep,
            touchIdGiven: body.objectValue?["touchId"] != nil
        )
    }
}
