import Foundation
import PQ
import Sales

/// The pipeline board: a pipeline's stages in order, each with its open
/// deals as of a day (see the contract's "Reads").
public struct PipelineBoard: Sendable, Equatable {
    /// One open deal on the board.
    public struct Deal: Sendable, Equatable {
        public var dealId: UUID
        public var clientId: UUID
        public var title: String?
        public var amountMinor: Int64
        public var currency: String
        public var daysInStage: Int
        public var openObjections: Int
        public var lastTouchOn: LocalDate?
    }

    /// One stage and its deals, ordered by `daysInStage` descending, then `dealId`.
    public struct Stage: Sendable, Equatable {
        public var stage: String
        public var deals: [Deal]
        /// Sum of the deals' amounts per currency.
        public var totals: [String: Int64]
    }

    public var pipeline: String
    public var asOf: LocalDate
    public var stages: [Stage]

    /// The board of `pipeline` in `window`, from the live `board` read model.
    ///
    /// When no fact is dated after `asOf` and `knownAt` is not given (the usual board as of
    /// today), the open deals are read from the current-state table, one row each; otherwise
    /// each deal's stage, offer, objections and touches are looked up among the dated facts.
    /// - Throws: ``ProjectionError/unknownPipeline(_:)``.
    public static func query(pipeline: String, window: ReportWindow, on connection: Connection) throws -> PipelineBoard {
        let model = try ProjectionRegistry.live(.board, on: connection)
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        var stageNames = try model.stages(of: pipeline, knownAt: knownAt, on: connection)
        var dealsByStage: [String: [Deal]] = [:]
        let openDeals: SQL =
            try model.answersFromCurrentState(window, tables: [.dealProgress], on: connection)
            ? """
            SELECT deal_id, client_id, title, stage, (\(asOf)::date - stage_entered_on) AS days_in_stage,
                   coalesce(offer_amount, amount) AS amount, coalesce(offer_currency, currency) AS currency,
                   objections_raised - objections_handled AS open_objections, last_touch_on
              FROM \(fragment: model.table(.dealProgress))
             WHERE pipeline = \(pipeline) AND NOT closed AND opened_on <= \(asOf)::date AND stage IS NOT NULL
            """
            : """
            WITH open_deals AS (
                SELECT d.* FROM \(fragment: model.table(.deals)) d
                 WHERE d.pipeline = \(pipeline) AND d.opened_on <= \(asOf)::date
                   AND d.recorded_at <= \(knownAt)::timestamptz
                   AND NOT EXISTS (SELECT 1 FROM \(fragment: model.table(.closes)) c
                                    WHERE c.deal_id = d.deal_id AND c.closed_on <= \(asOf)::date
                                      AND c.recorded_at <= \(knownAt)::timestamptz))
            SELECT d.deal_id, d.client_id, d.title, s.stage, (\(asOf)::date - s.entered_on) AS days_in_stage,
                   coalesce(o.amount, d.amount) AS amount, coalesce(o.currency, d.currency) AS currency,
                   (SELECT count(*) FROM \(fragment: model.table(.objections)) j
                     WHERE j.deal_id = d.deal_id AND j.raised_on <= \(asOf)::date
                       AND j.recorded_at <= \(knownAt)::timestamptz
                       AND NOT EXISTS (SELECT 1 FROM \(fragment: model.table(.objectionOutcomes)) h
                                        WHERE h.objection_id = j.objection_id AND h.handled_on <= \(asOf)::date
                                          AND h.recorded_at <= \(knownAt)::timestamptz)) AS open_objections,
                   (SELECT max(t.occurred_on) FROM \(fragment: model.table(.touches)) t
                     WHERE t.deal_id = d.deal_id AND t.occurred_on <= \(asOf)::date
                       AND t.recorded_at <= \(knownAt)::timestamptz) AS last_touch_on
              FROM open_deals d
              CROSS JOIN LATERAL (
                  SELECT s.stage, s.entered_on FROM \(fragment: model.table(.stageEntries)) s
                   WHERE s.deal_id = d.deal_id AND s.entered_on <= \(asOf)::date
                     AND s.recorded_at <= \(knownAt)::timestamptz
                   ORDER BY s.entered_on DESC, s.position DESC LIMIT 1) s
              LEFT JOIN LATERAL (
                  SELECT o.amount, o.currency FROM \(fragment: model.table(.offers)) o
                   WHERE o.deal_id = d.deal_id AND o.offered_on <= \(asOf)::date
                     AND o.recorded_at <= \(knownAt)::timestamptz
                   ORDER BY o.offered_on DESC, o.position DESC LIMIT 1) o ON true
            """
        try connection.forEachRow("\(fragment: openDeals) ORDER BY days_in_stage DESC, deal_id") { row in
            let stage: String = try row.decode("stage")
            dealsByStage[stage, default: []].append(
                Deal(
                    dealId: try row.decode("deal_id"), clientId: try row.decode("client_id"),
                    title: try row.decodeOptional("title"), amountMinor: try row.decode("amount"),
                    currency: try row.decode("currency"), daysInStage: try row.decode("days_in_stage"),
                    openObjections: try row.decode("open_objections"), lastTouchOn: try row.date("last_touch_on")))
        }
        stageNames += dealsByStage.keys.filter { !stageNames.contains($0) }.sorted()
        let stages = try stageNames.map { name in
            let deals = dealsByStage[name] ?? []
            var totals: [String: Int64] = [:]
            for deal in deals { totals[deal.currency] = try adding(totals[deal.currency] ?? 0, deal.amountMinor) }
            return Stage(stage: name, deals: deals, totals: totals)
        }
        return PipelineBoard(pipeline: pipeline, asOf: window.asOf, stages: stages)
    }

    /// The board as the API's JSON object.
    public var json: JSONValue {
        .object([
            "pipeline": .string(pipeline), "asOf": .date(asOf),
            "stages": .array(
                stages.map { stage in
                    .object([
                        "stage": .string(stage.stage), "count": .integer(stage.deals.count),
                        "totals": .money(stage.totals),
                        "deals": .array(
                            stage.deals.map { deal in
                                .object([
                                    "dealId": .string(deal.dealId.canonical),
                                    "clientId": .string(deal.clientId.canonical),
                                    "title": deal.title.map(JSONValue.string) ?? .null,
                                    "amountMinor": .integer(deal.amountMinor), "currency": .string(deal.currency),
                                    "daysInStage": .integer(deal.daysInStage),
                                    "openObjections": .integer(deal.openObjections),
                                    "lastTouchOn": .date(deal.lastTouchOn),
                                ])
                            }),
                    ])
                }),
        ])
    }
}
