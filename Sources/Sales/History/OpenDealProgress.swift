public import Foundation
public import JSON

/// Where one open deal of a client stands: its pipeline and stage, since when, and its amount
/// (the latest offer's, by offer date and then recording order, else the opening amount; an
/// offer is always in the deal's currency).
public struct OpenDealProgress: Sendable, Equatable, Encodable {
    public let dealId: UUID
    public internal(set) var title: String?
    public let pipeline: String
    public let openedOn: LocalDate
    public internal(set) var stage: String
    public internal(set) var stageEnteredOn: LocalDate
    public internal(set) var amountMinor: Int64
    public let currency: Currency
    /// The day of the offer `amountMinor` comes from; nil while it is the opening amount.
    public internal(set) var latestOfferOn: LocalDate?

    /// The progress of a deal just opened.
    init(_ opened: DealOpened) {
        dealId = opened.dealId
        title = opened.title.isEmpty ? nil : opened.title
        pipeline = opened.pipeline
        openedOn = opened.openedOn
        stage = opened.stage
        stageEnteredOn = opened.openedOn
        amountMinor = opened.amountMinor
        currency = opened.currency
    }

    /// `{"dealId", "title", "pipeline", "stage", "stageEnteredOn", "openedOn", "amountMinor",
    /// "currency", "latestOfferOn"}`; an erased title and a missing offer date are `null`.
    public var json: JSONValue {
        .object([
            "dealId": dealId.json,
            "title": title.map(JSONValue.string) ?? .null,
            "pipeline": .string(pipeline),
            "stage": .string(stage),
            "stageEnteredOn": stageEnteredOn.json,
            "openedOn": openedOn.json,
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "latestOfferOn": latestOfferOn?.json ?? .null,
        ])
    }

    /// Encodes `json`.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
