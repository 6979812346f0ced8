/// Why the event store refused a call. Nothing was appended.
public enum EventStoreError: Error, Sendable, Equatable {
    /// A stream id that is not `<category>-<id>`.
    case invalidStreamID(String)
    /// An append of no events.
    case emptyBatch
    /// A payload or metadata document over ``EventStore/maximumPayloadBytes``.
    case payloadTooLarge(eventID: String, bytes: Int)
    /// A payload or metadata text that is not a JSON object.
    case invalidJSON(eventID: String)
    /// A schema version below 1, an empty type name or an invalid instant.
    case invalidEvent(eventID: String, reason: String)
    /// The stream was not at the expected version.
    case versionConflict(stream: String, expected: ExpectedVersion, actual: Int64)
    /// An event id already stored with different content.
    case eventIDReused(stream: String)
    /// A unique business key (scope, key) is already claimed by another stream.
    case claimTaken(scope: String, key: String)
    /// A receipt with this key is already stored: the request was recorded before
    /// (``EventStore/receipt(forKey:)`` answers what it got).
    case receiptStored(key: String)
}
