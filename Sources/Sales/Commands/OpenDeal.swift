public import Foundation
public import JSON

/// Open a deal (`POST /v1/deals`) for a client in a pipeline; it starts in the pipeline's first
/// stage.
public struct OpenDeal: Sendable, Equatable {
    public var dealId: UUID
    public var clientId: UUID
    public var title: String
    public var amountMinor: Int64
    public var currency: Currency
    public var openedOn: LocalDate
    public var pipeline: String

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        dealId: UUID, clientId: UUID, title: String, amountMinor: Int64, currency: Currency, openedOn: LocalDate,
        pipeline: String = Pipeline.defaultName
    ) {
        self.dealId = dealId
        self.clientId = clientId
        self.title = title
        self.amountMinor = amountMinor
        self.currency = currency
        self.openedOn = openedOn
        self.pipeline = pipeline
    }

    /// Validates a request body: `clientId`, `title`, `amountMinor`, `currency`, `openedOn`; optional
    /// `dealId` (else from `makeID`) and `pipeline` (else `sales`).
    public static func parse(_ body: JSONValue, makeID: () -> UUID = UUID.random) throws(ValidationFailure) -> OpenDeal
    {
        var fields = CommandFields(body)
        let dealId = fields.identifier("dealId", default: makeID)
        let clientId = fields.required("clientId", .uuid)
        let title = fields.required("title", .text(maxLength: TextLimit.name))
        let amountMinor = fields.required("amountMinor", .positiveAmount)
        let currency = fields.required("currency", .currency)
        let openedOn = fields.required("openedOn", .date)
        let pipeline = fields.optional("pipeline", .key) ?? Pipeline.defaultName
        fields.rejectUnknownKeys()
        guard let dealId, let clientId, let title, let amountMinor, let currency, let openedOn, fields.errors.isEmpty
        else { throw fields.failure }
        return OpenDeal(
            dealId: dealId, clientId: clientId, title: title, amountMinor: amountMinor, currency: currency,
            openedOn: openedOn, pipeline: pipeline
        )
    }
}
