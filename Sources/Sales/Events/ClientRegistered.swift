public import Foundation
public import JSON

/// A client was registered: a lead, warm or cold.
/// Event type `ClientRegistered`, stream `client-<clientId>`.
public struct ClientRegistered: SalesEventPayload {
    public static let eventType = "ClientRegistered"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = ["name", "email", "phone"]
    public static let requiredPersonalFields: Set<String> = ["name"]

    public let clientId: UUID
    public let name: String
    public let kind: ClientKind
    public let email: String?
    public let phone: String?
    public let source: String?
    public let temperature: Temperature?
    public let registeredOn: LocalDate

    /// The payload with these fields.
    public init(
        clientId: UUID, name: String, kind: ClientKind, email: String? = nil, phone: String? = nil,
        source: String? = nil, temperature: Temperature? = nil, registeredOn: LocalDate
    ) {
        self.clientId = clientId
        self.name = name
        self.kind = kind
        self.email = email
        self.phone = phone
        self.source = source
        self.temperature = temperature
        self.registeredOn = registeredOn
    }

    public var json: JSONValue {
        .object(omittingNil: [
            "clientId": clientId.json,
            "name": .string(name),
            "kind": kind.json,
            "email": email.map(JSONValue.string),
            "phone": phone.map(JSONValue.string),
            "source": source.map(JSONValue.string),
            "temperature": temperature?.json,
            "registeredOn": registeredOn.json,
        ])
    }

    public var event: SalesEvent { .clientRegistered(self) }
}
