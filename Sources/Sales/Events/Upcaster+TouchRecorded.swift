import JSON

extension Upcaster {
    /// `TouchRecorded` 1 → 2: version 2 states the UTC date the touch counts on as `occurredOn`;
    /// for a version 1 payload it is the UTC date of `occurredAt`.
    public static let touchRecordedOccurredOn = Upcaster(type: TouchRecorded.eventType, fromVersion: 1) { payload in
        guard var members = payload.objectValue, let text = members["occurredAt"]?.stringValue,
            let occurredAt = Instant(text)
        else {
            throw EventDecodingError.malformedPayload(
                type: TouchRecorded.eventType, reason: "occurredAt is not an instant")
        }
        members["occurredOn"] = .string(occurredAt.utcDate.description)
        return .object(members)
    }
}
