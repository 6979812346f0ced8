import Access
import EventStore
import Foundation
import JSON
import PQ
import Projections
import Recording
import Sales
import TestSupport
import Testing

/// The upgrade of a database written before personal data was sealed (migration 0008).
@Suite("Sealing plaintext left by older versions")
struct PlaintextSealingTests {
    /// Appends `event` as versions before 0008 did: its payload in plaintext.
    static func appendInPlaintext(_ event: SalesEvent, to database: TestDatabase) async throws {
        let stream = try StreamID(event.stream.description)
        let version = try await database.store.version(of: stream)
        _ = try await database.store.append(
            to: stream, expected: ExpectedVersion(version: version),
            events: [
                NewEvent(
                    type: event.type, schemaVersion: event.schemaVersion,
                    data: String(decoding: event.encode(), as: UTF8.self),
                    metadata: EventMetadata(actor: "cli:old"), occurredAt: event.occurredAt.description)
            ],
            clientID: event.clientId)
    }

    @Test func theMigrationSealsEveryPlaintextValueOnceAndTheLogStaysAppendOnly() async throws {
        let database = try await TestDatabase.make()
        let (client, deal) = (UUID(), UUID())
        let day = LocalDate("2026-02-01")!
        let events: [SalesEvent] = [
            ClientRegistered(
                clientId: client, name: "Old Plaintext Person", kind: .person, email: "old@example.test",
                registeredOn: day
            ).event,
            TouchRecorded(
                touchId: UUID(), clientId: client, channel: .call, direction: .outbound,
                occurredAt: Instant("2026-02-02T10:00:00Z")!, summary: "old plaintext summary"
            ).event,
            DealOpened(
                dealId: deal, clientId: client, pipeline: "sales", stage: "lead", title: "old plaintext title",
                amountMinor: 100, currency: Currency(code: "RUB")!, openedOn: day
            ).event,
            OrderPlaced(
                orderId: UUID(), clientId: client, placedOn: day, amountMinor: 100, currency: Currency(code: "RUB")!
            ).event,
        ]
        for event in events { try await Self.appendInPlaintext(event, to: database) }
        // The read models as the older version kept them, with plaintext copies.
        try await database.pool.withConnection { connection in
            // The clients directory (version 1) came after sealing: no older version of it exists.
            for projection in Projection.all where projection.version > 1 {
                let older = projection.withVersion(projection.version - 1)
                while try ProjectionRegistry.applyNextBatch(
                    older, batchSize: 100, personalData: database.personalData, on: connection) > 0
                {}
            }
        }
        let needles = ["Old Plaintext Person", "old@example", "old plaintext summary", "old plaintext title"]
        func plaintextCount(in table: String) async throws -> Int64 {
            try await database.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT count(*) FROM \(fragment: SQL(stringLiteral: table)) AS t
                     WHERE t::text LIKE ANY(\(PQBinaryArray.text(needles.map { "%" + $0 + "%" }))::text[])
                    """
                ).first?.decode(0) ?? 0
            }
        }
        #expect(try await plaintextCount(in: "events") == 3)
        #expect(try await plaintextCount(in: "\(Projection.schema).projection_state") == 0)

        let sealed = try await database.pool.withConnection { connection in
            try PlaintextSealing.run(personalData: database.personalData, on: connection)
        }
        #expect(sealed == 3)
        #expect(try await plaintextCount(in: "events") == 0)
        #expect(
            try await database.pool.withConnection {
                try PlaintextSealing.run(personalData: database.personalData, on: $0)
            } == 0)

        // The log is append-only again, and the sealed values open to what was written.
        await #expect(throws: PQError.self) {
            try await database.pool.withConnection { connection in
                try connection.execute("UPDATE events SET data = data WHERE position = 1")
            }
        }
        let history = try await ClientHistory.read(
            client, window: ReportWindow(asOf: LocalDate("2026-12-31")!, knownAt: nil), from: database.store,
            personalData: database.personalData)
        #expect(history.state.name == "Old Plaintext Person")
        #expect(history.entries[1].opened.data.objectValue?["summary"] == .string("old plaintext summary"))
        #expect(history.entries.allSatisfy { $0.opened.erasedFields.isEmpty })

        // A rebuild (the read models' versions went up with 0008) leaves no plaintext copy.
        let outcomes = try await database.pool.withConnection { connection in
            try ProjectionRebuild(
                projections: Projection.all, personalData: database.personalData, logger: TestDatabase.logger
            ).run(on: connection)
        }
        #expect(
            outcomes.count == Projection.all.count
                && outcomes.allSatisfy { if case .swapped = $0 { true } else { false } })
        let tables: [String] = try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
                 WHERE table_schema IN ('public', 'readmodels') AND table_type = 'BASE TABLE'
                """
            ).rows.map { try $0.decode(0) }
        }
        for table in tables { #expect(try await plaintextCount(in: table) == 0, "\(table)") }
        let board = try await database.pool.withConnection { connection in
            try PipelineBoard.query(
                pipeline: "sales", window: try ReportWindow(asOf: "2026-02-10", knownAt: nil),
                personalData: database.personalData, on: connection)
        }
        #expect(board.stages.first?.deals.first?.title == "old plaintext title")
    }
}
