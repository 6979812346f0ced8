import EventStore
import Foundation
import Sales

/// Realistic events for the measurements: a client's `TouchRecorded` (about
/// 300 bytes of JSON, as the Sales domain encodes it) and `InvoiceIssued` on a
/// receivables stream, with `{"actor": …}` metadata.
struct Workload: Sendable {
    static let actors = ["sales:anna", "sales:bruno", "finance:chiara", "cli:import"]
    static let summaries = [
        "Called about the renewal; they want the premium tier but need a quote before the board meets.",
        "Visit at the Milan office with procurement and the plant manager; demo of the scheduling module.",
        "E-mail follow-up on the open objection about onboarding time; sent the case study they asked for.",
    ]

    /// The ~300-byte payload of one event; `index` varies the content.
    static func payload(clientID: UUID, index: Int) -> (type: String, data: String) {
        let day = 1 + index % 28
        if index % 4 == 3 {
            let data = """
                {"invoiceId":"\(UUID().uuidString.lowercased())","clientId":"\(clientID.uuidString.lowercased())",\
                "number":"INV-2025-\(String(format: "%06d", index % 1_000_000))","issuedOn":"2025-03-\(day < 10 ? "0" : "")\(day)",\
                "dueOn":"2025-04-\(day < 10 ? "0" : "")\(day)","amountMinor":\(120_000 + index % 9_000 * 7),"currency":"EUR",\
                "orderId":"\(UUID().uuidString.lowercased())","lines":[{"description":"Scheduling suite, annual","amountMinor":\(120_000 + index % 9_000 * 7)}]}
                """
            return (InvoiceIssued.eventType, data)
        }
        let data = """
            {"touchId":"\(UUID().uuidString.lowercased())","clientId":"\(clientID.uuidString.lowercased())",\
            "channel":"\(["call", "email", "meeting", "visit"][index % 4])","direction":"outbound",\
            "occurredAt":"2025-03-\(day < 10 ? "0" : "")\(day)T10:\(10 + index % 50):00Z",\
            "summary":"\(summaries[index % summaries.count])","outcome":"positive","nextStep":"Send quote"}
            """
        return (TouchRecorded.eventType, data)
    }

    static func occurredAt(_ index: Int) -> String {
        let day = 1 + index % 28
        return "2025-03-\(day < 10 ? "0" : "")\(day)T10:\(10 + index % 50):00Z"
    }

    static func event(clientID: UUID, index: Int) -> NewEvent {
        let (type, data) = payload(clientID: clientID, index: index)
        return NewEvent(
            type: type, data: data, metadata: EventMetadata(actor: actors[index % actors.count]),
            occurredAt: occurredAt(index))
    }

    /// The same event as a row of `COPY raw_events (stream_id, stream_version,
    /// event_id, type, schema_version, data, metadata, client_id, occurred_at)`
    /// in text format. The generated JSON holds no tab, newline or backslash,
    /// so it needs no escaping.
    static func copyLine(stream: String, version: Int64, clientID: UUID, event: NewEvent) -> String {
        "\(stream)\t\(version)\t\(event.eventID.uuidString.lowercased())\t\(event.type)\t\(event.schemaVersion)\t"
            + "\(event.data)\t{\"actor\":\"\(event.metadata.actor)\"}\t\(clientID.uuidString.lowercased())\t"
            + "\(event.occurredAt)\n"
    }

    static func metadataJSON(_ event: NewEvent) -> String {
        "{\"actor\":\"\(event.metadata.actor)\"}"
    }
}

/// The streams one writer owns, with the version each is at.
struct WriterStreams {
    var clients: [UUID]
    var streams: [StreamID]
    var versions: [Int64]

    init(count: Int, category: String) {
        clients = (0..<count).map { _ in UUID() }
        streams = clients.map { try! StreamID(category: category, id: $0.uuidString.lowercased()) }
        versions = Array(repeating: 0, count: count)
    }
}
