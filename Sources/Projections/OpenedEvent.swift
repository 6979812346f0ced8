public import Access
public import EventStore
import Foundation
public import JSON
public import PQ
import Sales

/// A stored event as people see it: its payload parsed, with each sealed personal value opened,
/// or `null` where the client's personal data was erased, and the names of those fields.
public struct OpenedEvent: Sendable {
    /// The event as stored, with its place in the log.
    public let recorded: RecordedEvent
    /// The payload with personal values opened (`null` where erased).
    public let data: JSONValue
    /// The payload's personal fields that were erased, sorted; empty for most events.
    public let erasedFields: [String]

    /// `recorded` opened with `opener`. A payload that is not JSON reads as an empty object.
    /// - Throws: ``PersonalDataError`` for a sealed value that its key does not open.
    public init(_ recorded: RecordedEvent, opener: PersonalDataOpener) throws(PersonalDataError) {
        try self.init(recorded, payload: Self.payload(of: recorded), opener: opener)
    }

    private init(_ recorded: RecordedEvent, payload: JSONValue, opener: PersonalDataOpener) throws(PersonalDataError) {
        self.recorded = recorded
        let fields = SalesEvent.payloadType(named: recorded.type)?.personalFields ?? []
        (data, erasedFields) = try opener.open(payload, personalFields: fields)
    }

    /// `events` opened with the keys their sealed values name, read in one query on `connection`.
    public static func open(
        _ events: [RecordedEvent], personalData: PersonalDataKeys, on connection: Connection
    ) throws -> [OpenedEvent] {
        let payloads = events.map(payload)
        let sealed = payloads.lazy.compactMap(\.objectValue).flatMap { $0.values.lazy.map(\.stringValue) }
        let opener = try personalData.opener(for: sealed, on: connection)
        return try zip(events, payloads).map { try OpenedEvent($0, payload: $1, opener: opener) }
    }

    private static func payload(of event: RecordedEvent) -> JSONValue {
        (try? JSONValue(parsing: Data(event.data.utf8))) ?? .object([:])
    }
}
