public import Foundation
public import JSON

/// Register a client (`POST /v1/clients`): somebody showed interest, and every lead is recorded,
/// warm or cold (seed 002).
public struct RegisterClient: Sendable, Equatable {
    public var clientId: UUID
    public var name: String
    public var kind: ClientKind
    public var email: String?
    public var phone: String?
    public var source: String?
    public var temperature: Temperature?
    public var registeredOn: LocalDate

    /// A command with these fields, unchecked: `parse` is the validating way in.
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

    /// Validates a request body: `name`, `kind`; optional `clientId` (else from `makeID`),
    /// `email`, `phone`, `source`, `temperature`, `registeredOn` (else the UTC date of `recordedAt`).
    public static func parse(
        _ body: JSONValue, recordedAt: Instant, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> RegisterClient {
        var fields = CommandFields(body)
        let clientId = fields.identifier("clientId", default: makeID)
        let name = fields.required("name", .text(maxLength: TextLimit.name))
        let kind = fields.required("kind", FieldFormat<ClientKind>.choice)
        let email = fields.optional("email", .email)
        let phone = fields.optional("phone", .phone)
        let source = fields.optional("source", .text(maxLength: TextLimit.name))
        let temperature = fields.optional("temperature", FieldFormat<Temperature>.choice)
        let registeredOn = fields.optional("registeredOn", .date) ?? recordedAt.utcDate
        fields.rejectUnknownKeys()
        guard let clientId, let name, let kind, fields.errors.isEmpty else { throw fields.failure }
        return RegisterClient(
            clientId: clientId, name: name, kind: kind, email: email, phone: phone, source: source,
            temperature: temperature, registeredOn: registeredOn
        )
    }
}
