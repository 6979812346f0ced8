public import Foundation
public import JSON

/// Record an offer made in a deal (`POST /v1/deals/{dealId}/offers`): for how much, valid until
/// when, on which terms.
public struct MakeOffer: Sendable, Equatable {
    public var offerId: UUID
    public var dealId: UUID
    public var amountMinor: Int64
    public var currency: Currency
    public var offeredOn: LocalDate
    public var validUntil: LocalDate?
    public var terms: String?

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(
        offerId: UUID, dealId: UUID, amountMinor: Int64, currency: Currency, offeredOn: LocalDate,
        validUntil: LocalDate? = nil, terms: String? = nil
    ) {
        self.offerId = offerId
        self.dealId = dealId
        self.amountMinor = amountMinor
        self.currency = currency
        self.offeredOn = offeredOn
        self.validUntil = validUntil
        self.terms = terms
    }

    /// Validates a request body for the deal of the path: `amountMinor`, `currency`, `offeredOn`;
    /// optional `offerId` (else from `makeID`), `validUntil`, `terms`.
    public static func parse(
        _ body: JSONValue, dealId: UUID, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> MakeOffer {
        var fields = CommandFields(body)
        let offerId = fields.identifier("offerId", default: makeID)
        let amountMinor = fields.required("amountMinor", .positiveAmount)
        let currency = fields.required("currency", .currency)
        let offeredOn = fields.required("offeredOn", .date)
        let validUntil = fields.optional("validUntil", .date)
        let terms = fields.optional("terms", .text(maxLength: TextLimit.freeText, multiline: true))
        fields.rejectUnknownKeys()
        guard let offerId, let amountMinor, let currency, let offeredOn, fields.errors.isEmpty else {
            throw fields.failure
        }
        return MakeOffer(
            offerId: offerId, dealId: dealId, amountMinor: amountMinor, currency: currency, offeredOn: offeredOn,
            validUntil: validUntil, terms: terms
        )
    }
}
