public import Access
public import Foundation
import JSON
public import PQ
public import Sales

/// The pipeline board: a pipeline's stages in order, each with its open
/// deals as of a day (see the contract's "Reads").
public struct PipelineBoard: Sendable, Equatable {
    /// One open deal on the board.
    public struct Deal: Sendable, Equatable {
        public var dealId: UUID
        public var clientId: UUID
        /// The deal's title; nil once the client's personal data is erased.
        public var title: String?
        /// Whether the title was erased (`erasedFields: ["title"]`).
        public var titleErased = false
        public var amountMinor: Int64
        public var currency: String
        public var daysInStage: Int
        public var openObjections: Int
        public var lastTouchOn: LocalDate?
        /// Whether the deal's latest assessment on or before `asOf` knows all three criteria.
        public var qualified = false
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
    /// Either way PostgreSQL returns the deals in board order: most days in stage first (the
    /// current-state table says it as the stage entered earliest, the order of its index), then id.
    /// Titles are opened with `personalData`'s keys; an erased one is nil.
    /// - Throws: ``ProjectionError/unknownPipeline(_:)``; ``ProjectionError/readModelOutdated(name:version:needed:)``
    ///   while the live board is older than version 5 (no assessments yet; the runner rebuilds it).
    public static func query(
        pipeline: String, window: ReportWindow, personalData: PersonalDataKeys, on connection: Connection
    ) throws -> PipelineBoard {
        let model = try ProjectionRegistry.live(.board, on: connection)
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        var stageNames = try model.stages(of: pipeline, knownAt: knownAt, on: connection)
        var dealsByStage: [String: [Deal]] = [:]
        // As of today the current-state row holds the latest assessment; at other cuts the
        // assessments are looked up among the dated facts, one index probe per deal.
        let qualified = try model.qualified(deal: "d.deal_id", on: "\(asOf)::date", knownAt: knownAt)
        let openDeals: SQL =
            try model.answersFromCurrentState(window, tables: [.dealProgress], on: connection)
            ? """
            SELECT deal_id, client_id, title, stage, (\(asOf)::date - stage_entered_on) AS days_in_stage,
                   coalesce(offer_amount, amount) AS amount, coalesce(offer_currency, currency) AS currency,
                   objections_raised - objections_handled AS open_objections, last_touch_on,
                   coalesce(knows_all, false) AS qualified
              FROM \(fragment: model.table(.dealProgress)) d
             WHERE pipeline = \(pipeline) AND NOT closed AND opened_on <= \(asOf)::date AND stage IS NOT NULL
             ORDER BY stage_entered_on, deal_id
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
                   (SELECT max(t.occurred_on) FROM \(fragment: model.table(.dealTouches)) t
                     WHERE t.deal_id = d.deal_id AND t.occurred_on <= \(asOf)::date
                       AND t.recorded_at <= \(knownAt)::timestamptz) AS last_touch_on,
                   \(fragment: qualified) AS qualified
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
             ORDER BY days_in_stage DESC, d.deal_id
            """
        // All rows at once: a board has no pages, and single-row mode costs a result per row.
        var deals: [Deal] = []
        var dealStages: [String] = []
        for row in try connection.query(openDeals).rows {
            dealStages.append(try row.decode(3))
            deals.append(
                Deal(
                    dealId: try row.decode(0), clientId: try row.decode(1), title: try row.decodeOptional(2),
                    amountMinor: try row.decode(5), currency: try row.decode(6), daysInStage: try row.decode(4),
                    openObjections: try row.decode(7),
                    lastTouchOn: try row.decodeOptional(8, as: String.self).flatMap { LocalDate($0) },
                    qualified: try row.decode(9)))
        }
        try personalData.open(&deals, \.title, erased: \.titleErased, on: connection)
        for (stage, deal) in zip(dealStages, deals) { dealsByStage[stage, default: []].append(deal) }
        stageNames += dealsByStage.keys.filter { !stageNames.contains($0) }.sorted()
        let stages = try stageNames.map { name in
            let deals = dealsByStage[name] ?? []
            var totals: [String: Int64] = [:]
            for deal in deals { totals[deal.currency] = try adding(totals[deal.currency] ?? 0, deal.amountMinor) }
            return Stage(stage: name, deals: deals, totals: totals)
        }
        return PipelineBoard(pipeline: pipeline, asOf: window.asOf, stages: stages)
    }

    /// The board as the API's JSON text, written member by member (keys in code-point order, as
    /// ``JSONValue/serialized()`` orders them): a board lists every open deal, and a tree of values
    /// for thousands of deals costs more to build, sort and free than the writing itself.
    public func serializedJSON() -> Data {
        var writer = JSONWriter(capacity: 256 + stages.reduce(0) { $0 + 64 + 260 * $1.deals.count })
        writer.beginObject()
        writer.key("asOf")
        writer.date(asOf)
        writer.key("pipeline")
        writer.string(pipeline)
        writer.key("stages")
        writer.beginArray()
        for stage in stages {
            writer.beginObject()
            writer.key("count")
            writer.integer(stage.deals.count)
            writer.key("deals")
            writer.beginArray()
            for deal in stage.deals {
                writer.beginObject()
                writer.key("amountMinor")
                writer.integer(deal.amountMinor)
                writer.key("clientId")
                writer.uuid(deal.clientId)
                writer.key("currency")
                writer.string(deal.currency)
                writer.key("daysInStage")
                writer.integer(deal.daysInStage)
                writer.key("dealId")
                writer.uuid(deal.dealId)
                if deal.titleErased {
                    writer.key("erasedFields")
                    writer.value(.array([.string("title")]))
                }
                writer.key("lastTouchOn")
                writer.date(deal.lastTouchOn)
                writer.key("openObjections")
                writer.integer(deal.openObjections)
                writer.key("qualified")
                writer.value(.bool(deal.qualified))
                writer.key("title")
                writer.string(orNull: deal.title)
                writer.endObject()
            }
            writer.endArray()
            writer.key("stage")
            writer.string(stage.stage)
            writer.key("totals")
            writer.value(.money(stage.totals))
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.data
    }
}
