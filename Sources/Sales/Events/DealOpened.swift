public import Foundation
public import JSON

/// A deal was opened in a pipeline, in the pipeline's first stage.
/// Event type `DealOpened`, stream `deal-<dealId>`.
public struct DealOpened: SalesEventPayload {
    public static let eventType = "DealOpened"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["title"]
    public static let requiredPersonalFields: Set<String> = ["title"]

    public let dealId: UUID
    public let clientId: UUID
    public let pipeline: String
    public let stage: String
    public let title: String
    public let amountMinor: Int64
    public let currency: Currency
    public let openedOn: LocalDate

    /// The payload with these fields.
    public init(
        dealId: UUID, clientId: UUID, pipeline: String, stage: String, title: String, amountMinor: Int64,
        currency: Currency, openedOn: LocalDate
    ) {
        self.dealId = dealId
        self.clientId = clientId
        self.pipeline = pipeline
        self.stage = stage
        self.title = title
        self.amountMinor = amountMinor
        self.currency = currency
        self.openedOn = openedOn
    }

    public var json: JSONValue {
        .object([
            "dealId": dealId.json,
            "clientId": clientId.json,
            "pipeline": .string(pipeline),
            "stage": .string(stage),
            "title": .string(title),
            "amountMinor": .integer(amountMinor),
            "currency": currency.json,
            "openedOn": openedOn.json,
        ])
    }

    public var event: SalesEvent { .dealOpened(self) }
}
