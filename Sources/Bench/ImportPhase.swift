import Access
import ArgumentParser
import EventStore
import Foundation
import HexText
import JSON
import Logging
import PQ
import Recording
import Sales

/// The measurement of issue 3: `touchstone import` of register-client / record-touch /
/// issue-invoice / receive-payment lines, against a raw `COPY` of the very events it appended.
struct ImportPhase: Sendable {
    let pool: ConnectionPool
    let store: EventStore
    /// The data keys that seal the imported clients' personal fields, as in production.
    let personalData: PersonalDataKeys
    let logger: Logger

    /// Lines per client: a registration, then five each of touches, invoices and payments.
    static let linesPerClient = 16

    /// `count` import lines, client after client, as an export of a CRM would list them.
    static func lines(_ count: Int) -> [Substring] {
        var lines = [Substring]()
        lines.reserveCapacity(count)
        var client = 0
        while lines.count < count {
            client += 1
            let id = UUID().canonical
            var block = [
                #"{"command":"register-client","clientId":"\#(id)","name":"Client \#(client)","kind":"company","email":"c\#(client)@example.com","registeredOn":"2025-01-02"}"#
            ]
            for index in 0..<5 {
                let day = 10 + index
                block.append(
                    #"{"command":"record-touch","clientId":"\#(id)","channel":"call","direction":"outbound","occurredAt":"2025-02-\#(day)T10:30:00Z","summary":"\#(Workload.summaries[index % Workload.summaries.count])","outcome":"positive","nextStep":"Send quote"}"#
                )
            }
            for index in 0..<5 {
                block.append(
                    #"{"command":"issue-invoice","clientId":"\#(id)","number":"B-\#(client)-\#(index)","issuedOn":"2025-03-0\#(index + 1)","dueOn":"2025-04-0\#(index + 1)","amountMinor":\#(120_000 + index * 700),"currency":"EUR"}"#
                )
            }
            for index in 0..<5 {
                block.append(
                    #"{"command":"receive-payment","clientId":"\#(id)","receivedOn":"2025-04-1\#(index)","amountMinor":\#(90_000 + index * 500),"currency":"EUR"}"#
                )
            }
            lines += block.prefix(count - lines.count).map { Substring($0) }
        }
        return lines
    }

    /// What personal data costs per value, in this process: `count` client payloads sealed (their
    /// name and email, with one client's data key), then opened, beside the baseline of
    /// serializing and parsing the same payloads unsealed, which every append and read pays anyway.
    func sealingCost(count: Int) async throws -> (seal: Measurement, open: Measurement, json: Measurement) {
        let key = try await pool.withConnection { [personalData] in try personalData.sealingKey(for: UUID(), on: $0) }
        let payloads = (0..<count).map { index in
            ClientRegistered(
                clientId: UUID(), name: "Клиент номер \(index) ООО", kind: .company,
                email: "client\(index)@example.test",
                registeredOn: LocalDate("2025-01-01")!
            ).json
        }
        let fields = ClientRegistered.personalFields
        let (texts, json) = await measure {
            payloads.map { payload in
                String(decoding: payload.serialized(), as: UTF8.self)
            }
        }
        _ = try texts.map { try JSONValue(parsing: Data($0.utf8)) }
        let (sealed, seal) = await measure { payloads.map { key.seal($0, personalFields: fields) } }
        let opener = try await pool.withConnection { [personalData] in
            try personalData.opener(for: [sealed[0].objectValue?["name"]?.stringValue], on: $0)
        }
        let (opened, open) = try await measure {
            try sealed.map { try opener.open($0, personalFields: fields).payload }
        }
        guard opened == payloads else { throw ValidationError("sealed payloads did not open to what was sealed") }
        return (
            Measurement(label: "seal name+email (AES-256-GCM)", events: count, duration: seal),
            Measurement(label: "open name+email", events: count, duration: open),
            Measurement(label: "baseline: serialize the payload JSON", events: count, duration: json)
        )
    }

    /// Imports `lines` through ``CommandImport`` (what `touchstone import` runs).
    func importLines(_ lines: [Substring]) async throws -> (Measurement, CommandImport.Summary) {
        let importer = CommandImport(
            recorder: CommandRecorder(store: store, personalData: personalData, logger: logger), actor: "cli:bench")
        let (summary, duration) = try await measure { try await importer.load(lines) }
        return (
            Measurement(label: "touchstone import (CommandImport), 1 conn", events: lines.count, duration: duration),
            summary
        )
    }

    /// Baseline: the rows the import appended (actor `cli:bench`), copied out as COPY text and
    /// then `COPY raw_events FROM STDIN` in one transaction on one connection; only the COPY in is timed.
    func copyIn() async throws -> Measurement {
        let text: String = try await pool.withConnection { connection in
            var bytes = [UInt8]()
            _ = try connection.copyOut(
                """
                COPY (SELECT stream_id, stream_version, event_id, type, schema_version, data, metadata, client_id,
                             occurred_at
                        FROM events WHERE metadata->>'actor' = 'cli:bench' ORDER BY position) TO STDOUT
                """
            ) { chunk in bytes.append(contentsOf: chunk) }
            return String(decoding: bytes, as: UTF8.self)
        }
        let (count, duration) = try await measure {
            try await pool.withConnection { connection in
                try connection.copyIn(
                    """
                    COPY raw_events (stream_id, stream_version, event_id, type, schema_version, data, metadata,
                                     client_id, occurred_at) FROM STDIN
                    """
                ) { sink in try sink.write(text) }
            }
        }
        return Measurement(label: "COPY of the same events, 1 conn, 1 COPY", events: count, duration: duration)
    }
}
