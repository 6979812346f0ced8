import Access
import JSON
import PQ
import Projections
import TestSupport
import Testing

/// The checks a test of faults under load makes once the load is over: what the writers were
/// told was recorded is in the log exactly once, no stream has a gap, and the read models equal a
/// rebuild from scratch.
enum AcknowledgedWrites {
    /// No stream has a gap or a repeated version; every acknowledged client and touch is stored
    /// exactly once; and at most `unanswered` more of each are stored. A command whose COMMIT is
    /// cut (by `cause`) has an unknown outcome: the server answers 503 and frees the key, and the
    /// retry is answered from the receipt stored with the events if they committed, so only a
    /// request given up unanswered may be stored without being acknowledged.
    static func expectStoredOnce(
        clients: [String], touches: [String], unanswered: Int, cause: String, on connection: Connection
    ) throws {
        let gaps: Int64 =
            try connection.query(
                """
                SELECT count(*) FROM (SELECT stream_id FROM events GROUP BY stream_id
                                      HAVING min(stream_version) <> 1 OR max(stream_version) <> count(*)) g
                """
            ).first?.decode(0) ?? -1
        #expect(gaps == 0, "a stream has a gap or a repeated version")
        for (type, field, ids) in [("ClientRegistered", "clientId", clients), ("TouchRecorded", "touchId", touches)] {
            let counts = try connection.query(
                """
                SELECT i, (SELECT count(*) FROM events WHERE type = \(type) AND data ->> \(field) = i)
                  FROM unnest(\(ids)::text[]) AS i
                """
            ).rows
            for row in counts {
                let id: String = try row.decode(0)
                #expect(try row.decode(1, as: Int64.self) == 1, "\(type) \(id) is not stored exactly once")
            }
            let total: Int64 =
                try connection.query("SELECT count(*) FROM events WHERE type = \(type)").first?
                .decode(0) ?? -1
            #expect(total >= Int64(ids.count))
            #expect(
                total <= Int64(ids.count + unanswered),
                "\(type): \(total) stored for \(ids.count) acknowledged and \(unanswered) unanswered after \(cause)")
        }
    }

    /// Every read model, rebuilt from scratch on `pool` (names opened with `personalData`'s keys),
    /// equals the live one.
    static func expectReadModelsEqualRebuild(on pool: ConnectionPool, personalData: PersonalDataKeys) async throws {
        let outcomes = try await pool.withConnection { connection in
            try ProjectionRebuild(projections: Projection.all, personalData: personalData, logger: TestDatabase.logger)
                .run(on: connection)
        }
        for outcome in outcomes {
            guard case .swapped(_, _, true) = outcome else {
                Issue.record("a read model differs from its rebuild: \(outcome)")
                continue
            }
        }
    }
}
