import PQ
import Sales

/// A cohort of deals: those of a pipeline opened in [`from`, `to`], as the funnel and the
/// objections report count them, read from the live board read model's facts.
struct DealCohort {
    /// The live board generation whose tables hold the cohort's facts.
    let model: ProjectionGeneration
    /// The pipeline's stages, as known at the cohort's `knownAt`.
    let stages: [String]
    /// `SELECT deal_id FROM …`: the cohort's deals, to splice into a report's statement.
    let deals: SQL

    /// The deals of `pipeline` opened in [`from`, `to`] and on or before `asOf`, as recorded at or
    /// before `knownAt` (both binds: a date and an instant, `infinity` for no limit).
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` when `from` is after `to`,
    ///   ``ProjectionError/unknownPipeline(_:)``.
    init(
        pipeline: String, from: LocalDate, to: LocalDate, asOf: String = "infinity", knownAt: String = "infinity",
        on connection: Connection
    ) throws {
        guard from <= to else {
            throw ProjectionError.invalidParameter(field: "from", message: "must not be after to")
        }
        model = try ProjectionRegistry.live(.board, on: connection)
        stages = try model.stages(of: pipeline, knownAt: knownAt, on: connection)
        deals = """
            SELECT deal_id FROM \(fragment: model.table(.deals))
             WHERE pipeline = \(pipeline) AND opened_on BETWEEN \(from.description)::date AND \(to.description)::date
               AND opened_on <= \(asOf)::date AND recorded_at <= \(knownAt)::timestamptz
            """
    }
}
