import PQ
import Sales

/// The board's facts of lead qualification (`DealQualified`).
extension FactTable {
    /// One row per assessment: its date and whether it knows all three criteria (the problem, the
    /// decision date and the budget; a criterion left out of the event is unknown). Whether the
    /// problem is known is whether the event holds one, sealed or not, so an erasure changes no
    /// deal's qualification.
    public static let qualifications = FactTable(
        name: "qualifications", from: FactRows(types: [DealQualified.eventType]),
        columns: [
            FactColumn("deal_id", "uuid NOT NULL", .field("dealId")),
            FactColumn("assessed_on", "date NOT NULL", .field("assessedOn")),
            FactColumn(
                "knows_all", "boolean NOT NULL",
                .expression("e.data ? 'problem' AND e.data ? 'decisionBy' AND e.data ? 'budgetMinor'")),
            .position, .recordedAt,
        ],
        indexes: ["deal_id, assessed_on, position"])
}

extension ProjectionGeneration {
    /// The board's version that keeps the assessments (and, in `deal_progress`, each deal's latest).
    static let qualificationsSince = 5

    /// Whether the deal `deal` (a column of the caller's statement) is qualified on `day` (a date
    /// expression): its latest assessment dated on or before that day (the latest recorded among
    /// those of one day), recorded at or before `knownAt` (an instant bind, `infinity` for no
    /// limit), knows all three criteria. A deal never assessed is not qualified.
    /// - Throws: ``ProjectionError/readModelOutdated(name:version:needed:)`` for a board generation
    ///   older than ``qualificationsSince`` (the runner rebuilds it on start).
    func qualified(deal: String, on day: SQL, knownAt: String) throws -> SQL {
        guard version >= Self.qualificationsSince else {
            throw ProjectionError.readModelOutdated(name: name, version: version, needed: Self.qualificationsSince)
        }
        return """
            coalesce((SELECT q.knows_all FROM \(fragment: table(.qualifications)) q
                       WHERE q.deal_id = \(fragment: SQL(unsafeRaw: deal)) AND q.assessed_on <= \(fragment: day)
                         AND q.recorded_at <= \(knownAt)::timestamptz
                       ORDER BY q.assessed_on DESC, q.position DESC LIMIT 1), false)
            """
    }
}
