/// An event as stored, with its place in the log.
public struct RecordedEvent: Sendable, Equatable {
    /// Global position: strictly increasing in commit-safe reading order.
    public var position: Int64
    /// The event's id.
    public var eventID: String
    /// The stream it belongs to.
    public var streamID: String
    /// Its version within the stream, contiguous from 1.
    public var streamVersion: Int64
    /// The stable type name.
    public var type: String
    /// The payload's schema version as stored (before any upcasting).
    public var schemaVersion: Int
    /// The payload, JSON text.
    public var data: String
    /// The metadata, JSON text.
    public var metadata: String
    /// The client the event concerns, if any.
    public var clientID: String?
    /// Business time, RFC 3339 UTC.
    public var occurredAt: String
    /// Server time of recording, RFC 3339 UTC with microseconds.
    public var recordedAt: String

    public init(
        position: Int64, eventID: String, streamID: String, streamVersion: Int64, type: String,
        schemaVersion: Int, data: String, metadata: String, clientID: String?, occurredAt: String, recordedAt: String
    ) {
        self.position = position
        self.eventID = eventID
        self.streamID = streamID
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
        self.clientID = clientID
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
    }
}

/// What an append wrote (or, for a replayed batch, had written before).
public struct AppendResult: Sendable, Equatable {
    /// The position of each event, in batch order.
    public var positions: [Int64]
    /// The stream's version after the batch.
    public var streamVersion: Int64
    /// When the batch was recorded (RFC 3339 UTC).
    public var recordedAt: String
    /// True when the whole batch was already stored: nothing was written.
    public var replayed: Bool
}
