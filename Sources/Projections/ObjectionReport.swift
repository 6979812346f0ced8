import Foundation
public import JSON
public import PQ
public import Sales

/// The sales method's objections report over a cohort of deals (those of a pipeline opened in
/// [`from`, `to`], the funnel's cohort): per objection category, how many objections were raised,
/// resolved, left unresolved or are still open, and how many of the deals that had one were won or
/// lost; and per number of objections raised in a deal, how many deals were won or lost. It answers
/// seed 003's question: do deals close after the 5th–6th objection?
///
/// Every objection, outcome and close of the cohort's deals counts as known now (there is no
/// `asOf`). An objection's outcome is its latest by log position (the deal's decider records at
/// most one), a deal's close the same way.
public struct ObjectionReport: Sendable, Equatable {
    /// The figures of one objection category.
    public struct Category: Sendable, Equatable {
        public var category: ObjectionCategory
        public var raised = 0
        /// Objections whose outcome is resolved.
        public var resolved = 0
        /// Objections whose outcome is not resolved.
        public var unresolved = 0
        /// Objections without an outcome.
        public var open = 0
        /// Deals of the cohort with an objection of this category that were won.
        public var dealsWon = 0
        /// Deals of the cohort with an objection of this category that were lost.
        public var dealsLost = 0
    }

    /// The deals of the cohort in which a number of objections was raised.
    public struct CountRow: Sendable, Equatable {
        /// The number of objections, `0` to `5`, then `6+`.
        public var objections: String
        public var deals = 0
        public var won = 0
        public var lost = 0

        /// won / (won + lost), nil when none of these deals is closed.
        public var winRate: Double? {
            won + lost == 0 ? nil : Double(won) / Double(won + lost)
        }
    }

    /// Deals with this many objections or more share the last row of ``byCount``.
    public static let countCeiling = 6
    /// The first version of the board read model that keeps each objection's category and each
    /// outcome's `resolved`.
    static let boardVersion = 3

    public var pipeline: String
    public var from: LocalDate
    public var to: LocalDate
    /// Every category, in the contract's order (``ObjectionCategory/allCases``).
    public var categories: [Category]
    /// `0` … `5` objections, then `6+`.
    public var byCount: [CountRow]

    /// The report on the deals of `pipeline` opened in [`from`, `to`], from the live board read
    /// model's facts.
    /// - Throws: ``ProjectionError/unknownPipeline(_:)``, ``ProjectionError/invalidParameter(field:message:)``,
    ///   ``ProjectionError/readModelOutdated(name:version:needed:)`` while the board is still at an
    ///   older version (the runner rebuilds it).
    public static func query(
        pipeline: String, from: LocalDate, to: LocalDate, on connection: Connection
    ) throws
        -> ObjectionReport
    {
        let cohort = try DealCohort(pipeline: pipeline, from: from, to: to, on: connection)
        let model = cohort.model
        guard model.version >= boardVersion else {
            throw ProjectionError.readModelOutdated(name: model.name, version: model.version, needed: boardVersion)
        }
        // One statement, so the cohort and its facts are gathered once; the three kinds of
        // figures come back as rows told apart by `figure`. JIT is off: PostgreSQL would spend
        // longer compiling this plan than running it.
        let figures = try connection.with(setting: "jit", "off") { connection in
            try connection.query(
                """
                WITH cohort AS MATERIALIZED (SELECT DISTINCT deal_id FROM (\(fragment: cohort.deals)) d),
                closes AS MATERIALIZED (
                    SELECT c.deal_id, c.outcome FROM \(fragment: model.table(.closes)) c
                      JOIN cohort k ON k.deal_id = c.deal_id
                     WHERE NOT EXISTS (SELECT 1 FROM \(fragment: model.table(.closes)) l
                                        WHERE l.deal_id = c.deal_id AND l.position > c.position)),
                objections AS MATERIALIZED (
                    SELECT j.deal_id, j.category, o.resolved FROM \(fragment: model.table(.objections)) j
                      JOIN cohort k ON k.deal_id = j.deal_id
                      LEFT JOIN \(fragment: model.table(.objectionOutcomes)) o
                        ON o.objection_id = j.objection_id AND o.deal_id = j.deal_id
                       AND NOT EXISTS (SELECT 1 FROM \(fragment: model.table(.objectionOutcomes)) l
                                        WHERE l.objection_id = o.objection_id AND l.deal_id = o.deal_id
                                          AND l.position > o.position))
                SELECT 'category' AS figure, j.category AS key, count(*) AS raised,
                       count(*) FILTER (WHERE j.resolved) AS resolved, count(*) FILTER (WHERE NOT j.resolved) AS unresolved,
                       count(*) FILTER (WHERE j.resolved IS NULL) AS open, 0 AS won, 0 AS lost
                  FROM objections j GROUP BY j.category
                UNION ALL
                SELECT 'category-deals', d.category, 0, 0, 0, 0,
                       count(*) FILTER (WHERE c.outcome = 'won'), count(*) FILTER (WHERE c.outcome = 'lost')
                  FROM (SELECT DISTINCT deal_id, category FROM objections) d JOIN closes c ON c.deal_id = d.deal_id
                 GROUP BY d.category
                UNION ALL
                SELECT 'count', least(coalesce(n.raised, 0), \(countCeiling))::text, count(*), 0, 0, 0,
                       count(*) FILTER (WHERE c.outcome = 'won'), count(*) FILTER (WHERE c.outcome = 'lost')
                  FROM cohort k
                  LEFT JOIN (SELECT deal_id, count(*) AS raised FROM objections GROUP BY deal_id) n ON n.deal_id = k.deal_id
                  LEFT JOIN closes c ON c.deal_id = k.deal_id
                 GROUP BY 2
                """
            ).rows
        }
        var categories = ObjectionCategory.allCases.map { Category(category: $0) }
        let index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1.category.rawValue, $0) })
        var byCount = (0...countCeiling).map {
            CountRow(objections: $0 < countCeiling ? String($0) : "\(countCeiling)+")
        }
        for row in figures {
            let key: String = try row.decode("key")
            switch try row.decode("figure") as String {
            case "category":
                guard let at = index[key] else { continue }
                categories[at].raised = try row.decode("raised")
                categories[at].resolved = try row.decode("resolved")
                categories[at].unresolved = try row.decode("unresolved")
                categories[at].open = try row.decode("open")
            case "category-deals":
                guard let at = index[key] else { continue }
                categories[at].dealsWon = try row.decode("won")
                categories[at].dealsLost = try row.decode("lost")
            default:
                guard let at = Int(key) else { continue }
                byCount[at].deals = try row.decode("raised")
                byCount[at].won = try row.decode("won")
                byCount[at].lost = try row.decode("lost")
            }
        }
        return ObjectionReport(pipeline: pipeline, from: from, to: to, categories: categories, byCount: byCount)
    }

    /// The report as the API's JSON object.
    public var json: JSONValue {
        .object([
            "pipeline": .string(pipeline), "from": .date(from), "to": .date(to),
            "categories": .array(
                categories.map { category in
                    .object([
                        "category": .string(category.category.rawValue), "raised": .integer(category.raised),
                        "resolved": .integer(category.resolved), "unresolved": .integer(category.unresolved),
                        "open": .integer(category.open), "dealsWon": .integer(category.dealsWon),
                        "dealsLost": .integer(category.dealsLost),
                    ])
                }),
            "byCount": .array(
                byCount.map { row in
                    .object([
                        "objections": .string(row.objections), "deals": .integer(row.deals), "won": .integer(row.won),
                        "lost": .integer(row.lost), "winRate": row.winRate.map { .decimal($0, places: 4) } ?? .null,
                    ])
                }),
        ])
    }
}
