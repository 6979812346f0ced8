public import Foundation
public import JSON

/// An offer was made in a deal.
/// Event type `OfferMade`, stream `deal-<dealId>`.
public struct OfferMade: SalesEventPayload {
    public static let eventType = "OfferMade"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["terms"]
    public static let requiredPersonalFields: Set<String> = []

    public let offerId: UUID
    public let dealId: UUID
    public let clientId: UUID
    public let amountMinor: Int64
    public let currency: Currency
    public let offeredOn: LocalDate
    public let validUntil: LocalDate?
    public let terms: String?

    /// The payload with these fields.
    public init(
        offerId: UUID, dealId: UUID, clientId: UUID, amountMinor: Int64, currency: Currency, offeredOn: LocalDate,
        validUntil: LocalDate? = nil, terms: String? = nil
    ) {
        self.offerId = offerId
        self.dealId = dealId
        self.clientId = clientId
        self.amountMinor = amountMinor
        self.currency = currency
        self.offeredOn = offeredOn
        self.validUntil = validUntil
        self.terms = terms
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "offerId": offerId.json,
            "dealId": dealId.json,
            "clientId": clientId.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "offeredOn": offeredOn.json,
            "validUntil": validUntil?.json,
            "terms": terms.map(JSONValue.string),
        ])
    }

    public var event: SalesEvent { .offerMade(self) }
}
