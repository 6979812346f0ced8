import Sales

/// The fact tables the read models are made of, each filled from the event
/// types of `docs/events.md`.
extension FactTable {
    public static let clients = FactTable(
        name: "clients",
        columns: [
            FactColumn("client_id", "uuid NOT NULL"), FactColumn("name", "text"),
            FactColumn("registered_on", "date NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'clientId')::uuid, e.data->>'name', (e.data->>'registeredOn')::date, e.position, e.recorded_at
              FROM events e WHERE e.type = '\(ClientRegistered.eventType)'
            """,
        indexes: ["client_id"])

    public static let invoices = FactTable(
        name: "invoices",
        columns: [
            FactColumn("invoice_id", "uuid NOT NULL"), FactColumn("client_id", "uuid NOT NULL"),
            FactColumn("number", "text NOT NULL"), FactColumn("issued_on", "date NOT NULL"),
            FactColumn("due_on", "date NOT NULL"), FactColumn("amount", "bigint NOT NULL"),
            FactColumn("currency", "text NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'invoiceId')::uuid, (e.data->>'clientId')::uuid, e.data->>'number',
                   (e.data->>'issuedOn')::date, (e.data->>'dueOn')::date, (e.data->>'amountMinor')::bigint,
                   e.data->>'currency', e.position, e.recorded_at
              FROM events e WHERE e.type = '\(InvoiceIssued.eventType)'
            """,
        indexes: ["invoice_id", "client_id, issued_on"])

    public static let allocations = FactTable(
        name: "allocations",
        columns: [
            FactColumn("payment_id", "uuid NOT NULL"), FactColumn("invoice_id", "uuid NOT NULL"),
            FactColumn("client_id", "uuid NOT NULL"), FactColumn("received_on", "date NOT NULL"),
            FactColumn("amount", "bigint NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'paymentId')::uuid, (a->>'invoiceId')::uuid, (e.data->>'clientId')::uuid,
                   (e.data->>'receivedOn')::date, (a->>'amountMinor')::bigint, e.position, e.recorded_at
              FROM events e CROSS JOIN LATERAL jsonb_array_elements(e.data->'allocations') a
             WHERE e.type = '\(PaymentReceived.eventType)'
            """,
        indexes: ["invoice_id, received_on"])

    public static let payments = FactTable(
        name: "payments",
        columns: [
            FactColumn("payment_id", "uuid NOT NULL"), FactColumn("client_id", "uuid NOT NULL"),
            FactColumn("currency", "text NOT NULL"), FactColumn("received_on", "date NOT NULL"),
            FactColumn("amount", "bigint NOT NULL"), FactColumn("unapplied", "bigint NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'paymentId')::uuid, (e.data->>'clientId')::uuid, e.data->>'currency',
                   (e.data->>'receivedOn')::date, (e.data->>'amountMinor')::bigint,
                   coalesce((e.data->>'unappliedMinor')::bigint, 0), e.position, e.recorded_at
              FROM events e WHERE e.type = '\(PaymentReceived.eventType)'
            """,
        indexes: ["client_id, received_on"])

    public static let creditNotes = FactTable(
        name: "credit_notes",
        columns: [
            FactColumn("invoice_id", "uuid NOT NULL"), FactColumn("client_id", "uuid NOT NULL"),
            FactColumn("issued_on", "date NOT NULL"), FactColumn("amount", "bigint NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'invoiceId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'issuedOn')::date,
                   (e.data->>'amountMinor')::bigint, e.position, e.recorded_at
              FROM events e WHERE e.type = '\(CreditNoteIssued.eventType)'
            """,
        indexes: ["invoice_id, issued_on"])

    public static let writeOffs = FactTable(
        name: "write_offs",
        columns: [
            FactColumn("invoice_id", "uuid NOT NULL"), FactColumn("client_id", "uuid NOT NULL"),
            FactColumn("written_off_on", "date NOT NULL"), FactColumn("amount", "bigint NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'invoiceId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'writtenOffOn')::date,
                   (e.data->>'amountMinor')::bigint, e.position, e.recorded_at
              FROM events e WHERE e.type = '\(InvoiceWrittenOff.eventType)'
            """,
        indexes: ["invoice_id, written_off_on"])

    /// Promises to pay an invoice: the day made, the day promised, the amount (the note is not kept).
    public static let promises = FactTable(
        name: "promises",
        columns: [
            FactColumn("promise_id", "uuid NOT NULL"), FactColumn("invoice_id", "uuid NOT NULL"),
            FactColumn("made_on", "date NOT NULL"), FactColumn("promised_on", "date NOT NULL"),
            FactColumn("amount", "bigint NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'promiseId')::uuid, (e.data->>'invoiceId')::uuid, (e.data->>'madeOn')::date,
                   (e.data->>'promisedOn')::date, (e.data->>'amountMinor')::bigint, e.position, e.recorded_at
              FROM events e WHERE e.type = '\(PaymentPromised.eventType)'
            """,
        indexes: ["invoice_id, made_on, position"])

    /// Payment reminders of invoices: the day sent, the channel and the level (the note is not kept).
    public static let reminders = FactTable(
        name: "reminders",
        columns: [
            FactColumn("reminder_id", "uuid NOT NULL"), FactColumn("invoice_id", "uuid NOT NULL"),
            FactColumn("sent_on", "date NOT NULL"), FactColumn("channel", "text NOT NULL"),
            FactColumn("level", "integer NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'reminderId')::uuid, (e.data->>'invoiceId')::uuid, (e.data->>'sentOn')::date,
                   e.data->>'channel', (e.data->>'level')::integer, e.position, e.recorded_at
              FROM events e WHERE e.type = '\(PaymentReminderSent.eventType)'
            """,
        indexes: ["invoice_id, sent_on, position"])

    public static let orders = FactTable(
        name: "orders",
        columns: [
            FactColumn("order_id", "uuid NOT NULL"), FactColumn("client_id", "uuid NOT NULL"),
            FactColumn("placed_on", "date NOT NULL"), FactColumn("amount", "bigint NOT NULL"),
            FactColumn("currency", "text NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'orderId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'placedOn')::date,
                   (e.data->>'amountMinor')::bigint, e.data->>'currency', e.position, e.recorded_at
              FROM events e WHERE e.type = '\(OrderPlaced.eventType)'
            """,
        indexes: ["client_id, placed_on"])

    /// Touches count on the UTC date of `occurredAt`: schema version 2 carries
    /// it as `occurredOn`; for version 1 it is the date part of the RFC 3339
    /// UTC instant (read as text, so a fraction is never rounded into the
    /// next day).
    public static let touches = FactTable(
        name: "touches",
        columns: [
            FactColumn("touch_id", "uuid NOT NULL"), FactColumn("client_id", "uuid NOT NULL"),
            FactColumn("deal_id", "uuid"), FactColumn("occurred_on", "date NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'touchId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'dealId')::uuid,
                   coalesce((e.data->>'occurredOn')::date, left(e.data->>'occurredAt', 10)::date),
                   e.position, e.recorded_at
              FROM events e WHERE e.type = '\(TouchRecorded.eventType)'
            """,
        indexes: ["client_id, occurred_on"])

    /// The same touches, kept by the board, which looks them up by deal (retention looks them
    /// up by client): each keeps only the index it reads.
    public static let dealTouches = touches.indexed(by: ["deal_id, occurred_on"])

    public static let deals = FactTable(
        name: "deals",
        columns: [
            FactColumn("deal_id", "uuid NOT NULL"), FactColumn("client_id", "uuid NOT NULL"),
            FactColumn("pipeline", "text NOT NULL"), FactColumn("title", "text"),
            FactColumn("amount", "bigint NOT NULL"), FactColumn("currency", "text NOT NULL"),
            FactColumn("opened_on", "date NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'dealId')::uuid, (e.data->>'clientId')::uuid, e.data->>'pipeline', e.data->>'title',
                   (e.data->>'amountMinor')::bigint, e.data->>'currency', (e.data->>'openedOn')::date,
                   e.position, e.recorded_at
              FROM events e WHERE e.type = '\(DealOpened.eventType)'
            """,
        indexes: ["pipeline, opened_on", "deal_id"])

    /// A deal enters its first stage when opened and another one on every move.
    public static let stageEntries = FactTable(
        name: "stage_entries",
        columns: [
            FactColumn("deal_id", "uuid NOT NULL"), FactColumn("stage", "text NOT NULL"),
            FactColumn("entered_on", "date NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'dealId')::uuid, e.data->>'stage',
                   CASE WHEN e.type = '\(DealOpened.eventType)' THEN (e.data->>'openedOn')::date ELSE (e.data->>'movedOn')::date END,
                   e.position, e.recorded_at
              FROM events e WHERE e.type IN ('\(DealOpened.eventType)', '\(DealStageMoved.eventType)')
            """,
        indexes: ["deal_id, entered_on, position"])

    public static let offers = FactTable(
        name: "offers",
        columns: [
            FactColumn("deal_id", "uuid NOT NULL"), FactColumn("offered_on", "date NOT NULL"),
            FactColumn("amount", "bigint NOT NULL"), FactColumn("currency", "text NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'dealId')::uuid, (e.data->>'offeredOn')::date, (e.data->>'amountMinor')::bigint,
                   e.data->>'currency', e.position, e.recorded_at
              FROM events e WHERE e.type = '\(OfferMade.eventType)'
            """,
        indexes: ["deal_id, offered_on, position"])

    /// Objections with their category (`price`, `no-need`, …), for the objections report.
    public static let objections = FactTable(
        name: "objections",
        columns: [
            FactColumn("objection_id", "uuid NOT NULL"), FactColumn("deal_id", "uuid NOT NULL"),
            FactColumn("category", "text NOT NULL"), FactColumn("raised_on", "date NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'objectionId')::uuid, (e.data->>'dealId')::uuid, e.data->>'category',
                   (e.data->>'raisedOn')::date, e.position, e.recorded_at
              FROM events e WHERE e.type = '\(ObjectionRaised.eventType)'
            """,
        indexes: ["deal_id, raised_on"])

    /// Outcomes of objections: whether handling `resolved` the objection.
    public static let objectionOutcomes = FactTable(
        name: "objection_outcomes",
        columns: [
            FactColumn("objection_id", "uuid NOT NULL"), FactColumn("deal_id", "uuid NOT NULL"),
            FactColumn("handled_on", "date NOT NULL"), FactColumn("resolved", "boolean NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'objectionId')::uuid, (e.data->>'dealId')::uuid, (e.data->>'handledOn')::date,
                   (e.data->>'resolved')::boolean, e.position, e.recorded_at
              FROM events e WHERE e.type = '\(ObjectionHandled.eventType)'
            """,
        indexes: ["objection_id, handled_on"])

    /// Wins and losses; `DealLost.reason` is a string (schema version 1 and 2).
    public static let closes = FactTable(
        name: "closes",
        columns: [
            FactColumn("deal_id", "uuid NOT NULL"), FactColumn("outcome", "text NOT NULL"),
            FactColumn("closed_on", "date NOT NULL"), FactColumn("refused_by", "text"), FactColumn("reason", "text"),
            FactColumn("stage", "text NOT NULL"), FactColumn("position", "bigint NOT NULL"),
            FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT (e.data->>'dealId')::uuid, CASE WHEN e.type = '\(DealWon.eventType)' THEN 'won' ELSE 'lost' END,
                   CASE WHEN e.type = '\(DealWon.eventType)' THEN (e.data->>'wonOn')::date ELSE (e.data->>'lostOn')::date END,
                   e.data->>'refusedBy', e.data->>'reason', e.data->>'stage', e.position, e.recorded_at
              FROM events e WHERE e.type IN ('\(DealWon.eventType)', '\(DealLost.eventType)')
            """,
        indexes: ["deal_id, closed_on"])

    public static let pipelines = FactTable(
        name: "pipelines",
        columns: [
            FactColumn("pipeline", "text NOT NULL"), FactColumn("stages", "text[] NOT NULL"),
            FactColumn("position", "bigint NOT NULL"), FactColumn("recorded_at", "timestamptz NOT NULL"),
        ],
        select: """
            SELECT e.data->>'pipeline', ARRAY(SELECT jsonb_array_elements_text(e.data->'stages')),
                   e.position, e.recorded_at
              FROM events e WHERE e.type = '\(PipelineDefined.eventType)'
            """,
        indexes: ["pipeline, position"])
}

/// Tables of current state, one row per invoice, client or deal, folded from every fact whatever
/// its date. Each keeps `latest_on`, the latest business date among its facts: as of any day on or
/// after it the row is the dated facts' answer, so a report as of such a day (and not as known at
/// an earlier instant) reads the few open rows instead of aggregating every fact. Every merge is a
/// sum, a maximum, a latest-by-(date, position) or an ordered union, so live batches and a rebuild
/// fold to the same rows.
extension FactTable {
    /// Per invoice: its terms, what payments and credit notes took off it (`reduced`), whether it
    /// was written off, and the `open` balance that follows. The per-invoice receivables list as of
    /// today reads its open invoices in list order (`due_on`, then `number` by code points) from the
    /// partial index on the open ones, one page without sorting them all.
    public static let invoiceBalances = FactTable(
        name: "invoice_balances",
        columns: [
            FactColumn("invoice_id", "uuid NOT NULL"), FactColumn("client_id", "uuid"),
            FactColumn("currency", "text"), FactColumn("issued_on", "date"), FactColumn("due_on", "date"),
            FactColumn("amount", "bigint"), FactColumn("reduced", "numeric NOT NULL"),
            FactColumn("written_off", "boolean NOT NULL"), FactColumn("latest_on", "date NOT NULL"),
            FactColumn("number", "text"),
            FactColumn("open", "numeric GENERATED ALWAYS AS (CASE WHEN written_off THEN 0 ELSE amount - reduced END) STORED"),
        ],
        indexes: ["open", "latest_on", #"(due_on, number COLLATE "C") WHERE open > 0"#],
        fold: Fold(
            key: "invoice_id",
            aggregate: """
                SELECT f.invoice_id, (array_agg(f.client_id) FILTER (WHERE f.issued))[1],
                       (array_agg(f.currency) FILTER (WHERE f.issued))[1], min(f.issued_on) FILTER (WHERE f.issued),
                       min(f.due_on), sum(f.amount), sum(f.reduced), bool_or(f.written_off), max(f.dated_on),
                       (array_agg(f.number) FILTER (WHERE f.issued))[1]
                  FROM (
                """,
            events: """
                SELECT (a->>'invoiceId')::uuid AS invoice_id, e.type = '\(InvoiceIssued.eventType)' AS issued,
                       (e.data->>'clientId')::uuid AS client_id, e.data->>'currency' AS currency,
                       (e.data->>'issuedOn')::date AS issued_on, (e.data->>'dueOn')::date AS due_on,
                       CASE WHEN e.type = '\(InvoiceIssued.eventType)' THEN (a->>'amountMinor')::bigint END AS amount,
                       CASE WHEN e.type IN ('\(PaymentReceived.eventType)', '\(CreditNoteIssued.eventType)')
                            THEN (a->>'amountMinor')::numeric ELSE 0 END AS reduced,
                       e.type = '\(InvoiceWrittenOff.eventType)' AS written_off,
                       coalesce(e.data->>'issuedOn', e.data->>'receivedOn', e.data->>'writtenOffOn')::date AS dated_on,
                       e.data->>'number' AS number
                  FROM events e
                 CROSS JOIN LATERAL jsonb_array_elements(
                       CASE WHEN e.type = '\(PaymentReceived.eventType)' THEN e.data->'allocations' ELSE jsonb_build_array(e.data) END) a
                 WHERE e.type IN ('\(InvoiceIssued.eventType)', '\(PaymentReceived.eventType)', '\(CreditNoteIssued.eventType)', '\(InvoiceWrittenOff.eventType)')
                """,
            facts: [
                Source(
                    table: .invoices,
                    columns: """
                        invoice_id, true AS issued, client_id, currency, issued_on, due_on, amount, 0::numeric AS reduced,
                        false AS written_off, issued_on AS dated_on, number
                        """),
                Source(
                    table: .allocations,
                    columns: "invoice_id, false, NULL, NULL, NULL, NULL, NULL, amount::numeric, false, received_on, NULL"),
                Source(
                    table: .creditNotes,
                    columns: "invoice_id, false, NULL, NULL, NULL, NULL, NULL, amount::numeric, false, issued_on, NULL"),
                Source(table: .writeOffs, columns: "invoice_id, false, NULL, NULL, NULL, NULL, NULL, 0, true, written_off_on, NULL"),
            ],
            grouping: ") f GROUP BY f.invoice_id",
            merge: """
                ON CONFLICT (invoice_id) DO UPDATE SET
                   client_id = coalesce(state.client_id, excluded.client_id), currency = coalesce(state.currency, excluded.currency),
                   issued_on = least(state.issued_on, excluded.issued_on), due_on = least(state.due_on, excluded.due_on),
                   amount = CASE WHEN state.amount IS NULL OR excluded.amount IS NULL THEN coalesce(state.amount, excluded.amount)
                                 ELSE state.amount + excluded.amount END,
                   reduced = state.reduced + excluded.reduced, written_off = state.written_off OR excluded.written_off,
                   latest_on = greatest(state.latest_on, excluded.latest_on),
                   number = coalesce(state.number, excluded.number)
                """))

    /// Per client and currency: the unapplied credit of its payments.
    public static let unappliedCredits = FactTable(
        name: "unapplied_credits",
        columns: [
            FactColumn("client_id", "uuid NOT NULL"), FactColumn("currency", "text NOT NULL"),
            FactColumn("amount", "numeric NOT NULL"), FactColumn("latest_on", "date NOT NULL"),
        ],
        indexes: ["latest_on"],
        fold: Fold(
            key: "client_id, currency",
            aggregate: "SELECT f.client_id, f.currency, sum(f.amount), max(f.received_on) FROM (",
            events: """
                SELECT (e.data->>'clientId')::uuid AS client_id, e.data->>'currency' AS currency,
                       (e.data->>'unappliedMinor')::numeric AS amount, (e.data->>'receivedOn')::date AS received_on
                  FROM events e WHERE e.type = '\(PaymentReceived.eventType)' AND (e.data->>'unappliedMinor')::bigint > 0
                """,
            facts: [
                Source(
                    table: .payments, columns: "client_id, currency, unapplied::numeric AS amount, received_on",
                    condition: "WHERE unapplied > 0")
            ],
            grouping: ") f GROUP BY f.client_id, f.currency",
            merge: """
                ON CONFLICT (client_id, currency) DO UPDATE SET
                   amount = state.amount + excluded.amount, latest_on = greatest(state.latest_on, excluded.latest_on)
                """))

    /// Per client: its latest registration, distinct purchase dates, lifetime value per currency
    /// (`ltv`, and `ltv_order`: minus its largest amount, `Infinity` without orders) and last touch.
    public static let clientActivity = FactTable(
        name: "client_activity",
        columns: [
            FactColumn("client_id", "uuid NOT NULL"), FactColumn("registered_on", "date"),
            FactColumn("registered_position", "bigint"), FactColumn("purchase_dates", "date[] NOT NULL"),
            FactColumn("ltv", "jsonb NOT NULL"), FactColumn("ltv_order", "numeric NOT NULL"),
            FactColumn("last_touch_on", "date"), FactColumn("latest_on", "date NOT NULL"),
        ],
        indexes: ["ltv_order, client_id", "latest_on"],
        fold: Fold(
            key: "client_id",
            aggregate: """
                SELECT g.client_id, g.registered_on, g.registered_position, g.purchase_dates, g.ltv,
                       coalesce(-(SELECT max(value::numeric) FROM jsonb_each_text(g.ltv)), 'Infinity'), g.last_touch_on, g.latest_on
                  FROM (SELECT f.client_id,
                               (array_agg(f.registered_on ORDER BY f.position DESC) FILTER (WHERE f.registered_on IS NOT NULL))[1]
                                   AS registered_on,
                               max(f.position) FILTER (WHERE f.registered_on IS NOT NULL) AS registered_position,
                               coalesce(array_agg(DISTINCT f.placed_on ORDER BY f.placed_on) FILTER (WHERE f.placed_on IS NOT NULL),
                                        '{}') AS purchase_dates,
                               coalesce(jsonb_object_agg(f.currency, f.currency_total) FILTER (WHERE f.placed_on IS NOT NULL), '{}')
                                   AS ltv,
                               max(f.touched_on) AS last_touch_on,
                               max(coalesce(f.registered_on, f.placed_on, f.touched_on)) AS latest_on
                          FROM (
                """,
            events: """
                SELECT (e.data->>'clientId')::uuid AS client_id, e.position,
                       CASE WHEN e.type = '\(ClientRegistered.eventType)' THEN (e.data->>'registeredOn')::date END AS registered_on,
                       CASE WHEN e.type = '\(OrderPlaced.eventType)' THEN (e.data->>'placedOn')::date END AS placed_on,
                       e.data->>'currency' AS currency,
                       sum((e.data->>'amountMinor')::numeric) FILTER (WHERE e.type = '\(OrderPlaced.eventType)')
                           OVER (PARTITION BY e.data->>'clientId', e.data->>'currency') AS currency_total,
                       CASE WHEN e.type = '\(TouchRecorded.eventType)'
                            THEN coalesce((e.data->>'occurredOn')::date, left(e.data->>'occurredAt', 10)::date) END
                           AS touched_on
                  FROM events e WHERE e.type IN ('\(ClientRegistered.eventType)', '\(OrderPlaced.eventType)', '\(TouchRecorded.eventType)')
                """,
            facts: [
                Source(
                    table: .clients,
                    columns: """
                        client_id, position, registered_on, NULL::date AS placed_on, NULL::text AS currency,
                        NULL::numeric AS currency_total, NULL::date AS touched_on
                        """),
                Source(
                    table: .orders,
                    columns: """
                        client_id, position, NULL, placed_on, currency,
                        sum(amount::numeric) OVER (PARTITION BY client_id, currency), NULL
                        """),
                Source(table: .touches, columns: "client_id, position, NULL, NULL, NULL, NULL, occurred_on"),
            ],
            grouping: ") f GROUP BY f.client_id) g",
            merge: """
                ON CONFLICT (client_id) DO UPDATE SET
                   registered_on = CASE WHEN excluded.registered_position > state.registered_position
                                          OR state.registered_position IS NULL
                                        THEN excluded.registered_on ELSE state.registered_on END,
                   registered_position = greatest(state.registered_position, excluded.registered_position),
                   purchase_dates = ARRAY(SELECT DISTINCT d FROM unnest(state.purchase_dates || excluded.purchase_dates) d ORDER BY d),
                   ltv = \(mergedLTV),
                   ltv_order = coalesce(-(SELECT max(value::numeric) FROM jsonb_each_text(\(mergedLTV))), 'Infinity'),
                   last_touch_on = greatest(state.last_touch_on, excluded.last_touch_on),
                   latest_on = greatest(state.latest_on, excluded.latest_on)
                """))

    /// The lifetime values of the kept row and the batch's, summed per currency.
    private static let mergedLTV = """
        coalesce((SELECT jsonb_object_agg(key, total) FROM (
                      SELECT key, sum(value::numeric) AS total
                        FROM (SELECT * FROM jsonb_each_text(state.ltv) UNION ALL SELECT * FROM jsonb_each_text(excluded.ltv)) l
                       GROUP BY key) s), '{}')
        """

    /// Per deal: its opening, the stage entered last and the latest offer (each by date, then log
    /// position), objections raised and handled, whether it was won or lost, and its last touch.
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
        ],
        // The board as of today reads a pipeline's open deals in board order (the stage entered
        // earliest first) from this index alone, without sorting, once the table is vacuumed.
        indexes: [
            """
            (pipeline, stage_entered_on, deal_id) INCLUDE (client_id, title, stage, amount, currency, offer_amount, \
            offer_currency, objections_raised, objections_handled, last_touch_on, opened_on) WHERE NOT closed
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
                       max(f.dated_on)
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
                                   ELSE coalesce((e.data->>'occurredOn')::date, left(e.data->>'occurredAt', 10)::date)
                       END AS dated_on
                  FROM events e
                 WHERE e.type IN ('\(DealOpened.eventType)', '\(DealStageMoved.eventType)', '\(OfferMade.eventType)', '\(ObjectionRaised.eventType)', '\(ObjectionHandled.eventType)',
                                  '\(DealWon.eventType)', '\(DealLost.eventType)', '\(TouchRecorded.eventType)')
                   AND e.data->>'dealId' IS NOT NULL
                """,
            // A deal's opening is one event with its first stage; in the facts its stage entry is a
            // row of its own (only objections, closes and touches are counted by their type).
            facts: [
                Source(
                    table: .deals,
                    columns: """
                        deal_id, '\(DealOpened.eventType)'::text AS type, position, true AS opened, false AS offer, client_id, pipeline,
                        title, amount, currency, NULL::text AS stage, opened_on AS dated_on
                        """),
                Source(
                    table: .stageEntries,
                    columns: "deal_id, '\(DealStageMoved.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, stage, entered_on"),
                Source(
                    table: .offers,
                    columns: "deal_id, '\(OfferMade.eventType)', position, false, true, NULL, NULL, NULL, amount, currency, NULL, offered_on"),
                Source(
                    table: .objections,
                    columns: "deal_id, '\(ObjectionRaised.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, NULL, raised_on"),
                Source(
                    table: .objectionOutcomes,
                    columns: "deal_id, '\(ObjectionHandled.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, NULL, handled_on"),
                Source(
                    table: .closes,
                    columns: """
                        deal_id, CASE outcome WHEN 'won' THEN '\(DealWon.eventType)' ELSE '\(DealLost.eventType)' END, position, false, false, NULL, NULL,
                        NULL, NULL, NULL, NULL, closed_on
                        """),
                Source(
                    table: .dealTouches,
                    columns: "deal_id, '\(TouchRecorded.eventType)', position, false, false, NULL, NULL, NULL, NULL, NULL, NULL, occurred_on",
                    condition: "WHERE deal_id IS NOT NULL"),
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
                   latest_on = greatest(state.latest_on, excluded.latest_on)
                """))

    /// The values of a deal's opening (one event per deal).
    private static let opening = (
        elements: ["f.client_id::text", "f.pipeline", "f.title", "f.amount::text", "f.currency"], condition: "f.opened")
    /// The stage entered last: its date, then its log position, first, so the greatest is the latest.
    private static let stageEntry = (elements: [datedFirst, positionSecond, "f.stage"], condition: "f.stage IS NOT NULL")
    /// The latest offer, the same way.
    private static let offer = (elements: [datedFirst, positionSecond, "f.amount::text", "f.currency"], condition: "f.offer")
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
    private static func latest(_ present: String, _ date: String, _ position: String, among columns: [String]) -> String {
        columns.map { column in
            """
            \(column) = CASE WHEN state.\(present) IS NULL OR (excluded.\(date), excluded.\(position)) > (state.\(date), state.\(position))
                        THEN excluded.\(column) ELSE state.\(column) END
            """
        }.joined(separator: ",\n")
    }
}
