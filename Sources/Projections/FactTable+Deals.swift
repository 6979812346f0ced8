import Sales

/// The facts of deals (the board, the funnel, the objections report): openings, stages, offers,
/// objections, closes and the pipelines' stages.
extension FactTable {
    /// The touches, kept by the board, which looks them up by deal (retention looks them up by
    /// client): each keeps only the index it reads.
    public static let dealTouches = touches.indexed(by: ["deal_id, occurred_on"])

    public static let deals = FactTable(
        name: "deals", from: FactRows(types: [DealOpened.eventType]),
        columns: [
            FactColumn("deal_id", "uuid NOT NULL", .field("dealId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("pipeline", "text NOT NULL", .field("pipeline")), FactColumn("title", "text", .field("title")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")),
            FactColumn("currency", "text NOT NULL", .field("currency")),
            FactColumn("opened_on", "date NOT NULL", .field("openedOn")), .position, .recordedAt,
        ],
        indexes: ["pipeline, opened_on", "deal_id"])

    /// A deal enters its first stage when opened and another one on every move.
    public static let stageEntries = FactTable(
        name: "stage_entries", from: FactRows(types: [DealOpened.eventType, DealStageMoved.eventType]),
        columns: [
            FactColumn("deal_id", "uuid NOT NULL", .field("dealId")),
            FactColumn("stage", "text NOT NULL", .field("stage")),
            FactColumn(
                "entered_on", "date NOT NULL",
                .expression(
                    "CASE WHEN e.type = '\(DealOpened.eventType)' THEN (e.data->>'openedOn')::date ELSE (e.data->>'movedOn')::date END"
                )),
            .position, .recordedAt,
        ],
        indexes: ["deal_id, entered_on, position"])

    public static let offers = FactTable(
        name: "offers", from: FactRows(types: [OfferMade.eventType]),
        columns: [
            FactColumn("deal_id", "uuid NOT NULL", .field("dealId")),
            FactColumn("offered_on", "date NOT NULL", .field("offeredOn")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")),
            FactColumn("currency", "text NOT NULL", .field("currency")), .position, .recordedAt,
        ],
        indexes: ["deal_id, offered_on, position"])

    /// Objections with their category (`price`, `no-need`, …), for the objections report.
    public static let objections = FactTable(
        name: "objections", from: FactRows(types: [ObjectionRaised.eventType]),
        columns: [
            FactColumn("objection_id", "uuid NOT NULL", .field("objectionId")),
            FactColumn("deal_id", "uuid NOT NULL", .field("dealId")),
            FactColumn("category", "text NOT NULL", .field("category")),
            FactColumn("raised_on", "date NOT NULL", .field("raisedOn")), .position, .recordedAt,
        ],
        indexes: ["deal_id, raised_on"])

    /// Outcomes of objections: whether handling `resolved` the objection.
    public static let objectionOutcomes = FactTable(
        name: "objection_outcomes", from: FactRows(types: [ObjectionHandled.eventType]),
        columns: [
            FactColumn("objection_id", "uuid NOT NULL", .field("objectionId")),
            FactColumn("deal_id", "uuid NOT NULL", .field("dealId")),
            FactColumn("handled_on", "date NOT NULL", .field("handledOn")),
            FactColumn("resolved", "boolean NOT NULL", .field("resolved")), .position, .recordedAt,
        ],
        indexes: ["objection_id, handled_on"])

    /// Wins and losses; `DealLost.reason` is a string (schema version 1 and 2).
    public static let closes = FactTable(
        name: "closes", from: FactRows(types: [DealWon.eventType, DealLost.eventType]),
        columns: [
            FactColumn("deal_id", "uuid NOT NULL", .field("dealId")),
            FactColumn(
                "outcome", "text NOT NULL",
                .expression("CASE WHEN e.type = '\(DealWon.eventType)' THEN 'won' ELSE 'lost' END")),
            FactColumn(
                "closed_on", "date NOT NULL",
                .expression(
                    "CASE WHEN e.type = '\(DealWon.eventType)' THEN (e.data->>'wonOn')::date ELSE (e.data->>'lostOn')::date END"
                )),
            FactColumn("refused_by", "text", .field("refusedBy")), FactColumn("reason", "text", .field("reason")),
            FactColumn("stage", "text NOT NULL", .field("stage")), .position, .recordedAt,
        ],
        indexes: ["deal_id, closed_on"])

    public static let pipelines = FactTable(
        name: "pipelines", from: FactRows(types: [PipelineDefined.eventType]),
        columns: [
            FactColumn("pipeline", "text NOT NULL", .field("pipeline")),
            FactColumn(
                "stages", "text[] NOT NULL", .expression("ARRAY(SELECT jsonb_array_elements_text(e.data->'stages'))")),
            .position, .recordedAt,
        ],
        indexes: ["pipeline, position"])
}

/// Tables of current state, folded from every fact whatever its date: each keeps `latest_on`, the
/// latest business date among its facts (see ``FactTable/Fold``).
extension FactTable {
    /// Per deal: its opening, the stage entered last, the latest offer and the latest assessment of
    /// the lead (each by date, then log position), objections raised and handled, whether it was
    /// won or lost, and its last touch.
    public static let dealProgress = FactTable(
        name: "deal_progress",
        columns: [
            FactColumn("deal_id", "uuid NOT NULL"), FactColumn("client_id", "uuid"), FactColumn("pipeline", "text"),
            FactColumn("title", "text"), FactColumn("amount", "bigint"), FactColumn("currency", "text"),
            FactColumn("opened_on", "date"), FactColumn("stage", "text"), FactColumn("stage_entered_on", "date"),
            FactColumn("stage_position", "bigint"), FactColumn("offer_amount", "bigint"),
            FactColumn("offer_currency", "text"), FactColumn("offered_on", "date"),
            FactColumn("offer_position", "bigint"), FactColumn("objections_raised", "integer NOT NULL"),
            FactColumn("objections_handled", "integer NOT NULL"), FactColumn("closed", "boolean NOT NULL"),
            FactColumn("last_touch_on", "date"), FactColumn("latest_on", "date NOT NULL"),
            FactColumn("assessed_on", "date"), FactColumn("assessment_position", "bigint"),
            FactColumn("knows_all", "boolean"),
        ],
        // The board as of today reads a pipeline's open deals in board order (the stage entered
        // earliest first) from this index alone, without sorting, once the table is vacuumed.
        indexes: [
            """
            (pipeline, stage_entered_on, deal_id) INCLUDE (client_id, title, stage, amount, currency, offer_amount, \
            offer_currency, objections_raised, objections_handled, last_touch_on, opened_on, knows_all) WHERE NOT closed
            """,
            "latest_on",
        ],
        fold: Fold(
            key: "deal_id",
            aggregate: """
                SELECT f.deal_id, \(greatest(opening, at: 1))::uuid, \(greatest(opening, at: 2)), \(greatest(opening, at: 3)),
                       \(greatest(opening, at: 4))::bigint, \(greatest(opening, at: 5)), min(f.dated_on) FILTER (WHERE f.opened),
                       \(greatest(stageEntry, at: 3)), \(date(greatest(stageEntry, at: 1))), \(greatest(stageEntry, at: 2))::bigint,
                       \(greatest(offer, at: 3))::bigint, \(greatest(offer, at: 4)), \(date(greatest(offer, at: 1))),
                       \(greatest(offer, at: 2))::bigint,
                       count(*) FILTER (WHERE f.type = '\(ObjectionRaised.eventType)'), count(*) FILTER (WHERE f.type = '\(ObjectionHandled.eventType)'),
                       bool_or(f.type IN ('\(DealWon.eventType)', '\(DealLost.eventType)')), max(f.dated_on) FILTER (WHERE f.type = '\(TouchRecorded.eventType)'),
                       max(f.dated_on), \(date(greatest(assessment, at: 1))), \(greatest(assessment, at: 2))::bigint,
                       \(greatest(assessment, at: 3))::boolean
                  FROM (
                """,
            events: """
                SELECT (e.data->>'dealId')::uuid AS deal_id, e.type, e.position, e.type = '\(DealOpened.eventType)' AS opened,
                       e.type = '\(OfferMade.eventType)' AS offer, (e.data->>'clientId')::uuid AS client_id,
                       e.data->>'pipeline' AS pipeline, e.data->>'title' AS title,
                       (e.data->>'amountMinor')::bigint AS amount, e.data->>'currency' AS currency,
                       CASE WHEN e.type IN ('\(DealOpened.eventType)', '\(DealStageMoved.eventType)') THEN e.data->>'stage' END AS stage,
                       CASE e.type WHEN '\(DealOpened.eventType)' THEN (e.data->>'openedOn')::date
                                   WHEN '\(DealStageMoved.eventType)' THEN (e.data->>'movedOn')::date
                                   WHEN '\(OfferMade.eventType)' THEN (e.data->>'offeredOn')::date
                                   WHEN '\(ObjectionRaised.eventType)' THEN (e.data->>'raisedOn')::date
                                   WHEN '\(ObjectionHandled.eventType)' THEN (e.data->>'handledOn')::date
                                   WHEN '\(DealWon.eventType)' THEN (e.data->>'wonOn')::date
                                   WHEN '\(DealLost.eventType)' THEN (e.data->>'lostOn')::date
                                   WHEN '\(DealQualified.eventType)' THEN (e.data->>'assessedOn')::date
                                   ELSE coalesce((e.data->>'occurredOn')::date, left(e.data->>'occurredAt', 10)::date)
                       END AS dated_on,
                       CASE WHEN e.type = '\(DealQualified.eventType)'
                            THEN e.data ? 'problem' AND e.data ? 'decisionBy' AND e.data ? 'budgetMinor' END AS knows_all
                  FROM events e
                 WHERE e.type IN ('\(DealOpened.eventType)', '\(DealStageMoved.eventType)', '\(OfferMade.eventType)', '\(ObjectionRaised.eventType)', '\(ObjectionHandled.eventType)',
                                  '\(DealWon.eventType)', '\(DealLost.eventType)', '\(TouchRecorded.eventType)', '\(DealQualified.eventType)')
                   AND e.data->>'dealId' IS NOT NULL
                """,
            // A deal's opening is one event with its first stage; in the facts its stage entry is a
            // row of its own (only objections, closes and touches are counted by their type).
            facts: [
                Source(
                    table: .deals,
                    columns: """
                        deal_id, '\(DealOpened.eventType)'::text AS type, position, true AS opened, false AS offer, client_id, pipeline,
                        title, amount, currency, NULL::text AS stage, opened_on AS dated_on, NULL::boolean AS knows_all
                        """),
                Source(
                    table: .stageEntries,
                    columns:
                        "deal_id, '\(DealStageMoved.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, stage, entered_on, NULL"
                ),
                Source(
                    table: .offers,
                    columns:
                        "deal_id, '\(OfferMade.eventType)', position, false, true, NULL, NULL, NULL, amount, currency, NULL, offered_on, NULL"
                ),
                Source(
                    table: .objections,
                    columns:
                        "deal_id, '\(ObjectionRaised.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, NULL, raised_on, NULL"
                ),
                Source(
                    table: .objectionOutcomes,
                    columns:
                        "deal_id, '\(ObjectionHandled.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, NULL, handled_on, NULL"
                ),
                Source(
                    table: .closes,
                    columns: """
                        deal_id, CASE outcome WHEN 'won' THEN '\(DealWon.eventType)' ELSE '\(DealLost.eventType)' END, position, false, false, NULL, NULL,
                        NULL, NULL, NULL, NULL, closed_on, NULL
                        """),
                Source(
                    table: .dealTouches,
                    columns:
                        "deal_id, '\(TouchRecorded.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, NULL, occurred_on, NULL",
                    condition: "WHERE deal_id IS NOT NULL"),
                Source(
                    table: .qualifications,
                    columns:
                        "deal_id, '\(DealQualified.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, NULL, assessed_on, knows_all"
                ),
            ],
            grouping: ") f GROUP BY f.deal_id",
            merge: """
                ON CONFLICT (deal_id) DO UPDATE SET
                   client_id = coalesce(state.client_id, excluded.client_id), pipeline = coalesce(state.pipeline, excluded.pipeline),
                   title = coalesce(state.title, excluded.title), amount = coalesce(state.amount, excluded.amount),
                   currency = coalesce(state.currency, excluded.currency), opened_on = coalesce(state.opened_on, excluded.opened_on),
                   \(latest("stage", "stage_entered_on", "stage_position", among: ["stage", "stage_entered_on", "stage_position"])),
                   \(latest("offer_position", "offered_on", "offer_position",
                            among: ["offer_amount", "offer_currency", "offered_on", "offer_position"])),
                   objections_raised = state.objections_raised + excluded.objections_raised,
                   objections_handled = state.objections_handled + excluded.objections_handled,
                   closed = state.closed OR excluded.closed,
                   last_touch_on = greatest(state.last_touch_on, excluded.last_touch_on),
                   latest_on = greatest(state.latest_on, excluded.latest_on),
                   \(latest("assessment_position", "assessed_on", "assessment_position",
                            among: ["assessed_on", "assessment_position", "knows_all"]))
                """))

    /// The values of a deal's opening (one event per deal).
    private static let opening = (
        elements: ["f.client_id::text", "f.pipeline", "f.title", "f.amount::text", "f.currency"], condition: "f.opened"
    )
    /// The stage entered last: its date, then its log position, first, so the greatest is the latest.
    private static let stageEntry = (
        elements: [datedFirst, positionSecond, "f.stage"], condition: "f.stage IS NOT NULL"
    )
    /// The latest offer, the same way.
    private static let offer = (
        elements: [datedFirst, positionSecond, "f.amount::text", "f.currency"], condition: "f.offer"
    )
    /// The latest assessment of the lead (by date, then log position): whether it knows all three
    /// criteria, so the board as of today reads `qualified` from the row instead of probing the
    /// assessments deal by deal.
    private static let assessment = (
        elements: [datedFirst, positionSecond, "f.knows_all::text"], condition: "f.type = '\(DealQualified.eventType)'"
    )
    /// A date as its day number since 0001-01-01 in 7 digits, so that its text sorts as the date
    /// (whatever the session's DateStyle); ``date(_:)`` reads it back.
    private static let datedFirst = "lpad((f.dated_on - DATE '0001-01-01')::text, 7, '0')"
    /// A position as 19 digits, so that its text sorts as its number.
    private static let positionSecond = "lpad(f.position::text, 19, '0')"

    /// The date whose ``datedFirst`` text is `days`.
    private static func date(_ days: String) -> String {
        "(DATE '0001-01-01' + (\(days))::integer)"
    }

    /// Element `index` (from 1) of the greatest of the rows' arrays of `elements` that meet
    /// `condition`, compared element by element in byte order (padded day numbers and
    /// positions sort as they should). All the values of one row come out of a single plain `max`,
    /// which PostgreSQL computes once however many elements are taken from it; it replaced a
    /// sorted `array_agg` per value, whose sort per deal and per value made this the longest fold
    /// of a rebuild, and it lets the fold be hashed.
    private static func greatest(_ values: (elements: [String], condition: String), at index: Int) -> String {
        "(max(ARRAY[\(values.elements.joined(separator: ", "))] COLLATE \"C\") FILTER (WHERE \(values.condition)))[\(index)]"
    }

    /// `column = …` for each of `columns`: the batch's value when its (`date`, `position`) comes
    /// after the kept row's (or the kept row has none, told by `present` being null), else the kept one.
    private static func latest(_ present: String, _ date: String, _ position: String, among columns: [String]) -> String
    {
        columns.map { column in
            """
            \(column) = CASE WHEN state.\(present) IS NULL OR (excluded.\(date), excluded.\(position)) > (state.\(date), state.\(position))
                        THEN excluded.\(column) ELSE state.\(column) END
            """
        }.joined(separator: ",\n")
    }
}
