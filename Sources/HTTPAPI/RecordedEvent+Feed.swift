import EventStore
import Foundation
import JSON
import Projections
import Sales

extension OpenedEvent {
    /// The event as the global feed and histories show it: `position`, `eventId`, `streamId`,
    /// `streamVersion`, `type`, `schemaVersion`, `occurredAt`, `recordedAt`, `actor`, `data`
    /// (personal values opened, `null` where erased), `metadata`, and `erasedFields` when the
    /// client's personal data was erased.
    var feedJSON: JSONValue {
        var members = recorded.feedMembers
        members["data"] = data
        if !erasedFields.isEmpty { members["erasedFields"] = .array(erasedFields.map(JSONValue.string)) }
        return .object(members)
    }
}

extension RecordedEvent {
    /// The members of ``OpenedEvent/feedJSON`` but `data`, from the stored event.
    fileprivate var feedMembers: [String: JSONValue] {
        let metadataValue = (try? JSONValue(parsing: Data(metadata.utf8))) ?? .object([:])
        let actor = metadataValue.objectValue?["actor"]?.stringValue
        return [
            "position": .integer(position),
            "eventId": .string(eventID),
            "streamId": .string(streamID),
            "streamVersion": .integer(streamVersion),
            "type": .string(type),
            "schemaVersion": .integer(schemaVersion),
            "occurredAt": .string(occurredAt),
            "recordedAt": .string(recordedAt),
            "actor": .string(orNull: actor),
            "metadata": metadataValue,
        ]
    }
}
