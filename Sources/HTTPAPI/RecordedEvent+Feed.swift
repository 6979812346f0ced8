import EventStore
import Foundation
import Sales

extension RecordedEvent {
    /// The event as the global feed and histories show it: `position`, `eventId`, `streamId`,
    /// `streamVersion`, `type`, `schemaVersion`, `occurredAt`, `recordedAt`, `actor`, `data`,
    /// `metadata`.
    var feedJSON: JSONValue {
        let metadataValue = (try? JSONValue(parsing: Data(metadata.utf8))) ?? .object([:])
        let actor = metadataValue.objectValue?["actor"]?.stringValue
        return .object([
            "position": .integer(position),
            "eventId": .string(eventID),
            "streamId": .string(streamID),
            "streamVersion": .integer(streamVersion),
            "type": .string(type),
            "schemaVersion": .integer(schemaVersion),
            "occurredAt": .string(occurredAt),
            "recordedAt": .string(recordedAt),
            "actor": .string(orNull: actor),
            "data": (try? JSONValue(parsing: Data(data.utf8))) ?? .object([:]),
            "metadata": metadataValue,
        ])
    }
}
