import Foundation
import PQ

extension EventStore {
    /// Appends the parts to their streams in one transaction and one round trip (the
    /// `append_segments` function of `Schema/0005`): all of them or none. Their events get
    /// positions in the order given; a stream may come back in a later part, which then expects
    /// the version the earlier one leaves it at.
    ///
    /// Meant for a bulk import whose event ids are new: unlike ``append(to:expected:events:clientID:claims:)``
    /// a stored event id is not taken for a replay but fails the append (`eventIDReused`).
    /// - Throws: the errors of a single append (``EventStoreError/emptyBatch`` when there is no
    ///   part or a part has no event); a version conflict names the first part's stream that was
    ///   not at its expected version.
    public func append(_ parts: [StreamAppend]) async throws {
        guard !parts.isEmpty, parts.allSatisfy({ !$0.events.isEmpty }) else { throw EventStoreError.emptyBatch }
        let events = parts.flatMap(\.events)
        let metadata = try Self.checked(events, expecting: parts.map { ($0.stream, $0.expected) })
        let claimParts = parts.enumerated().flatMap { index, part in part.claims.map { _ in index + 1 } }
        let claims = parts.flatMap(\.claims)
        // The long arrays of names, ids, instants and JSON documents go in binary format: neither side
        // quotes, escapes or scans them (instants are cast from text on the server).
        let statement: SQL = """
            SELECT append_segments(
                   \(PQBinaryArray.text(parts.map(\.stream.description)))::text[], \(parts.map(\.expected.code))::bigint[],
                   \(parts.map(\.events.count))::integer[], \(PQBinaryArray.uuid(parts.map(\.clientID)))::uuid[],
                   \(PQBinaryArray.uuid(events.map(\.eventID)))::uuid[], \(PQBinaryArray.text(events.map(\.type)))::text[],
                   \(events.map(\.schemaVersion))::integer[], \(PQBinaryArray.jsonb(events.map(\.data)))::jsonb[],
                   \(PQBinaryArray.jsonb(metadata))::jsonb[],
                   \(PQBinaryArray.text(events.map(\.occurredAt)))::text[]::timestamptz[],
                   \(claimParts)::integer[], \(claims.map(\.scope))::text[], \(claims.map(\.key))::text[])
            """
        do {
            try await pool.withConnection { connection in
                _ = try connection.query(statement, prepared: true)
            }
        } catch let error as PQError {
            // The conflicting stream is the one the version guard's message names.
            let part = parts.first { error.message.hasPrefix("stream \($0.stream) is at version ") } ?? parts[0]
            throw Self.translate(error, stream: part.stream, expected: part.expected, claims: claims)
        }
        signal.poke()
    }
}
