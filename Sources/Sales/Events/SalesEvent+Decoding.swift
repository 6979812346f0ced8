public import Foundation
public import JSON

extension SalesEvent {
    /// Reads a stored event: its `type`, the `schemaVersion` it was written in and its JSON payload.
    ///
    /// A payload older than the current version is upcast first (`upcasters`). Personal data that
    /// was erased reads as `null` (the log itself never holds `null`: optional fields are omitted),
    /// so a `null` in one of the type's `personalFields` decodes as absent, or as "" for a field the
    /// payload requires (a client's `name`, a deal's `title`, a reason…). Keys the type does not
    /// know are ignored.
    public static func decode(
        type: String, schemaVersion: Int, data: Data, upcasters: UpcasterRegistry = .sales
    ) throws(EventDecodingError) -> SalesEvent {
        let stored: JSONValue
        do {
            stored = try JSONValue(parsing: data)
        } catch {
            throw .malformedPayload(type: type, reason: error.description)
        }
        return try decode(type: type, schemaVersion: schemaVersion, payload: stored, upcasters: upcasters)
    }

    /// Reads a stored event whose JSON payload is already parsed (and its personal values opened);
    /// see ``decode(type:schemaVersion:data:upcasters:)``.
    public static func decode(
        type: String, schemaVersion: Int, payload stored: JSONValue, upcasters: UpcasterRegistry = .sales
    ) throws(EventDecodingError) -> SalesEvent {
        guard let payloadType = payloadType(named: type), let current = upcasters.currentVersion(of: type) else {
            throw .unknownType(type)
        }
        guard schemaVersion >= 1, schemaVersion <= current else {
            throw .unsupportedVersion(type: type, version: schemaVersion)
        }
        let payload =
            schemaVersion == current
            ? stored : try upcasters.upcast(stored, type: type, from: schemaVersion, to: current)
        if let event = try? decodePayload(payloadType, from: payload) {
            return event
        }
        do {
            return try decodePayload(payloadType, from: withErasedFieldsResolved(payload, of: payloadType))
        } catch {
            throw .malformedPayload(type: type, reason: String(describing: error))
        }
    }

    private static func decodePayload<Payload: SalesEventPayload>(
        _ type: Payload.Type, from payload: JSONValue
    ) throws -> SalesEvent {
        try payload.decoded(as: Payload.self).event
    }

    /// `payload` with every `null` personal field removed, or set to "" when the payload requires it.
    private static func withErasedFieldsResolved(_ payload: JSONValue, of type: any SalesEventPayload.Type) -> JSONValue
    {
        guard var members = payload.objectValue else { return payload }
        for field in type.personalFields where members[field] == .null {
            members[field] = type.requiredPersonalFields.contains(field) ? .string("") : nil
        }
        return .object(members)
    }
}
