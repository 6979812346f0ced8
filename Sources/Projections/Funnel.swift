public import Access
import Foundation
public import JSON
public import PQ
public import Sales

/// The funnel of a cohort of deals (those of a pipeline opened in
/// [`from`, `to`]): per stage, how many entered, moved on, were won or lost
/// there, the conversions and the median days spent in it.
///
/// A stay in a stage lasts from its entry to the deal's next stage entry, or
/// to its win or loss; a stay still open on `asOf` lasts until `asOf`.
public struct Funnel: Sendable, Equatable {
    /// One loss reason of one refusing side.
    public struct Reason: Sendable, Equatable {
        /// The reason's text; nil for the losses whose clients' personal data was erased.
        public var reason: String?
        /// Whether these are erased reasons (`erasedFields: ["reason"]`).
        public var erased = false
        public var refusedBy: String
        public var count: Int
    }

    /// The figures of one stage.
    public struct Stage: Sendable, Equatable {
        public var stage: String
        public var entered = 0
        public var movedOn = 0
        public var won = 0
        public var lostByClient = 0
        public var lostByUs = 0
        public var reasons: [Reason] = []
        public var conversionToNext: Double?
        public var conversionToWon: Double?
        public var medianDaysInStage: Double?
    }

    public var pipeline: String
    public var from: LocalDate
    public var to: LocalDate
    public var asOf: LocalDate
    public var deals: Int
    public var stages: [Stage]
    public var meanObjectionsWon: Double?
    public var meanObjectionsLost: Double?
    /// The cohort's deals qualified and not, each by its state on its close date (on or before
    /// `asOf`), or on `to` (or `asOf`, when earlier) while open.
    public var qualified = Outcomes()
    public var unqualified = Outcomes()

    /// How many deals of a part of the cohort there are, and how many of them were won and lost.
    public struct Outcomes: Sendable, Equatable {
        public var entered = 0
        public var won = 0
        public var lost = 0

        /// `entered` deals, of which `won` were won and `lost` lost.
        public init(entered: Int = 0, won: Int = 0, lost: Int = 0) {
            self.entered = entered
            self.won = won
            self.lost = lost
        }

        /// `{entered, won, lost}`.
        var json: JSONValue { .object(["entered": .integer(entered), "won": .integer(won), "lost": .integer(lost)]) }
    }

    private struct Entry {
        var stage: String
        var day: LocalDate
    }

    private struct Close {
        var outcome: String
        var day: LocalDate
        var stage: String
        var refusedBy: String?
        var reason: String?
        var reasonErased = false
    }

    /// The funnel in `window`, from the live board read model's facts.
    /// - Throws: ``ProjectionError/unknownPipeline(_:)``, ``ProjectionError/invalidParameter(field:message:)``,
    ///   ``ProjectionError/readModelOutdated(name:version:needed:)`` while the live board is older than
    ///   version 4 (no assessments yet; the runner rebuilds it).
    public static func query(
        pipeline: String, from: LocalDate, to: LocalDate, window: ReportWindow, personalData: PersonalDataKeys,
        on connection: Connection
    ) throws -> Funnel {
        // JIT off: PostgreSQL would spend longer compiling the cohort's statements than running them.
        try connection.with(setting: "jit", "off") { connection in
            try gathered(
                pipeline: pipeline, from: from, to: to, window: window, personalData: personalData, on: connection)
        }
    }

    /// The funnel in `window`, gathered statement by statement on `connection`.
    private static func gathered(
        pipeline: String, from: LocalDate, to: LocalDate, window: ReportWindow, personalData: PersonalDataKeys,
        on connection: Connection
    ) throws -> Funnel {
        let (asOf, knownAt) = (window.asOfText, window.knownAtText)
        let deals = try DealCohort(pipeline: pipeline, from: from, to: to, asOf: asOf, knownAt: knownAt, on: connection)
        let (model, cohort) = (deals.model, deals.deals)
        var stageNames = deals.stages
        var entries: [UUID: [Entry]] = [:]
        try connection.forEachRow(
            """
            SELECT s.deal_id, s.stage, s.entered_on FROM \(fragment: model.table(.stageEntries)) s
             WHERE s.deal_id IN (\(fragment: cohort)) AND s.entered_on <= \(asOf)::date
               AND s.recorded_at <= \(knownAt)::timestamptz
             ORDER BY s.deal_id, s.entered_on, s.position
            """
        ) { row in
            guard let day = try row.date("entered_on") else { return }
            entries[try row.decode("deal_id"), default: []].append(Entry(stage: try row.decode("stage"), day: day))
        }
        var closed: [(deal: UUID, close: Close)] = []
        var objectionCounts: [UUID: Int] = [:]
        try connection.forEachRow(
            """
            SELECT c.deal_id, c.outcome, c.closed_on, c.stage, c.refused_by, c.reason,
                   (SELECT count(*) FROM \(fragment: model.table(.objections)) j
                     WHERE j.deal_id = c.deal_id AND j.raised_on <= \(asOf)::date
                       AND j.recorded_at <= \(knownAt)::timestamptz) AS objections
              FROM \(fragment: model.table(.closes)) c
             WHERE c.deal_id IN (\(fragment: cohort)) AND c.closed_on <= \(asOf)::date
               AND c.recorded_at <= \(knownAt)::timestamptz
            """
        ) { row in
            guard let day = try row.date("closed_on") else { return }
            let objections: Int = try row.decode("objections")
            closed.append(
                (
                    try row.decode("deal_id"),
                    Close(
                        outcome: try row.decode("outcome"), day: day, stage: try row.decode("stage"),
                        refusedBy: try row.decodeOptional("refused_by"), reason: try row.decodeOptional("reason"))
                ))
            objectionCounts[try row.decode("deal_id")] = objections
        }
        var closing = closed.map(\.close)
        try personalData.open(&closing, \.reason, erased: \.reasonErased, on: connection)
        let closes = Dictionary(zip(closed.map(\.deal), closing)) { first, _ in first }
        stageNames += Set(entries.values.flatMap { $0.map(\.stage) }).filter { !stageNames.contains($0) }.sorted()
        var stages = stageNames.map { Stage(stage: $0) }
        let index = Dictionary(uniqueKeysWithValues: stageNames.enumerated().map { ($1, $0) })
        var stays: [[Int]] = Array(repeating: [], count: stageNames.count)
        var enteredBy: [Set<UUID>] = Array(repeating: [], count: stageNames.count)
        for (deal, visits) in entries {
            let close = closes[deal]
            for (position, visit) in visits.enumerated() {
                guard let stage = index[visit.stage] else { continue }
                enteredBy[stage].insert(deal)
                let end = position + 1 < visits.count ? visits[position + 1].day : (close?.day ?? window.asOf)
                stays[stage].append(visit.day.days(until: end))
            }
            for stage in Set(visits.dropLast().compactMap { index[$0.stage] }) { stages[stage].movedOn += 1 }
        }
        var reasons: [[String: Reason]] = Array(repeating: [:], count: stageNames.count)
        for close in closes.values {
            guard let stage = index[close.stage] else { continue }
            if close.outcome == "won" {
                stages[stage].won += 1
            } else {
                if close.refusedBy == "us" { stages[stage].lostByUs += 1 } else { stages[stage].lostByClient += 1 }
                let refusedBy = close.refusedBy ?? "client"
                let key = (close.reasonErased ? "erased|" : "kept|") + refusedBy + "|" + (close.reason ?? "")
                reasons[stage][
                    key,
                    default: Reason(reason: close.reason, erased: close.reasonErased, refusedBy: refusedBy, count: 0)
                ].count += 1
            }
        }
        let wonDeals = Set(closes.filter { $0.value.outcome == "won" }.keys)
        for stage in stages.indices {
            let entered = enteredBy[stage]
            stages[stage].entered = entered.count
            stages[stage].reasons = reasons[stage].values.sorted {
                ($1.count, $0.reason ?? "", $0.refusedBy) < ($0.count, $1.reason ?? "", $1.refusedBy)
            }
            guard !entered.isEmpty else { continue }
            let reachedNext =
                stage + 1 < stages.count
                ? entered.intersection(enteredBy[stage + 1]).count : entered.intersection(wonDeals).count
            stages[stage].conversionToNext = Double(reachedNext) / Double(entered.count)
            stages[stage].conversionToWon = Double(entered.intersection(wonDeals).count) / Double(entered.count)
            let sorted = stays[stage].sorted()
            stages[stage].medianDaysInStage =
                sorted.count % 2 == 1
                ? Double(sorted[sorted.count / 2]) : Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        func mean(_ outcome: String) -> Double? {
            let counts = closes.filter { $0.value.outcome == outcome }.map { objectionCounts[$0.key] ?? 0 }
            return counts.isEmpty ? nil : Double(counts.reduce(0, +)) / Double(counts.count)
        }
        let cohortSize: Int = try connection.query("SELECT count(*) FROM (\(fragment: cohort)) c").first?.decode(0) ?? 0
        var funnel = Funnel(
            pipeline: pipeline, from: from, to: to, asOf: window.asOf, deals: cohortSize, stages: stages,
            meanObjectionsWon: mean("won"), meanObjectionsLost: mean("lost"))
        let open = min(to, window.asOf).description
        let qualified = try model.qualified(
            deal: "d.deal_id", on: "coalesce(c.closed_on, \(open)::date)", knownAt: knownAt)
        try connection.forEachRow(
            """
            SELECT c.outcome, \(fragment: qualified) AS qualified
              FROM (\(fragment: cohort)) d
              LEFT JOIN \(fragment: model.table(.closes)) c
                ON c.deal_id = d.deal_id AND c.closed_on <= \(asOf)::date AND c.recorded_at <= \(knownAt)::timestamptz
            """
        ) { row in
            let outcome: String? = try row.decodeOptional("outcome")
            let isQualified: Bool = try row.decode("qualified")
            func count(_ part: inout Outcomes) {
                part.entered += 1
                if outcome == "won" { part.won += 1 }
                if outcome == "lost" { part.lost += 1 }
            }
            if isQualified { count(&funnel.qualified) } else { count(&funnel.unqualified) }
        }
        return funnel
    }

    /// The funnel as the API's JSON object.
    public var json: JSONValue {
        .object([
            "pipeline": .string(pipeline), "from": .date(from), "to": .date(to), "asOf": .date(asOf),
            "deals": .integer(deals),
            "stages": .array(
                stages.map { stage in
                    .object([
                        "stage": .string(stage.stage), "entered": .integer(stage.entered),
                        "movedOn": .integer(stage.movedOn), "won": .integer(stage.won),
                        "lost": .object([
                            "total": .integer(stage.lostByClient + stage.lostByUs),
                            "byRefusedBy": .object([
                                "client": .integer(stage.lostByClient), "us": .integer(stage.lostByUs),
                            ]),
                            "byReason": .array(
                                stage.reasons.map { reason in
                                    .object(omittingNil: [
                                        "reason": reason.reason.map(JSONValue.string) ?? .null,
                                        "erasedFields": reason.erased ? .array([.string("reason")]) : nil,
                                        "refusedBy": .string(reason.refusedBy), "count": .integer(reason.count),
                                    ])
                                }),
                        ]),
                        "conversionToNext": stage.conversionToNext.map { .decimal($0, places: 4) } ?? .null,
                        "conversionToWon": stage.conversionToWon.map { .decimal($0, places: 4) } ?? .null,
                        "medianDaysInStage": stage.medianDaysInStage.map { .decimal($0, places: 1) } ?? .null,
                    ])
                }),
            "meanObjections": .object([
                "won": meanObjectionsWon.map { .decimal($0, places: 4) } ?? .null,
                "lost": meanObjectionsLost.map { .decimal($0, places: 4) } ?? .null,
            ]),
            "byQualification": .object(["qualified": qualified.json, "unqualified": unqualified.json]),
        ])
    }
}
