/// The fact tables the read models are made of, each filled from the event
/// types of `docs/events.md`.
extension FactTable {
    public static let clients = FactTable(
        name: "clients",
        columns: "client_id uuid NOT NULL, name text, registered_on date NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL",
        insertColumns: "client_id, name, registered_on, position, recorded_at",
        select: """
            SELECT (e.data->>'clientId')::uuid, e.data->>'name', (e.data->>'registeredOn')::date, e.position, e.recorded_at
              FROM events e WHERE e.type = 'ClientRegistered'
            """,
        indexes: ["client_id"])

    public static let invoices = FactTable(
        name: "invoices",
        columns: """
            invoice_id uuid NOT NULL, client_id uuid NOT NULL, number text NOT NULL, issued_on date NOT NULL, \
            due_on date NOT NULL, amount bigint NOT NULL, currency text NOT NULL, position bigint NOT NULL, \
            recorded_at timestamptz NOT NULL
            """,
        insertColumns: "invoice_id, client_id, number, issued_on, due_on, amount, currency, position, recorded_at",
        select: """
            SELECT (e.data->>'invoiceId')::uuid, (e.data->>'clientId')::uuid, e.data->>'number',
                   (e.data->>'issuedOn')::date, (e.data->>'dueOn')::date, (e.data->>'amountMinor')::bigint,
                   e.data->>'currency', e.position, e.recorded_at
              FROM events e WHERE e.type = 'InvoiceIssued'
            """,
        indexes: ["invoice_id", "client_id, issued_on"])

    public static let allocations = FactTable(
        name: "allocations",
        columns: """
            payment_id uuid NOT NULL, invoice_id uuid NOT NULL, client_id uuid NOT NULL, received_on date NOT NULL, \
            amount bigint NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "payment_id, invoice_id, client_id, received_on, amount, position, recorded_at",
        select: """
            SELECT (e.data->>'paymentId')::uuid, (a->>'invoiceId')::uuid, (e.data->>'clientId')::uuid,
                   (e.data->>'receivedOn')::date, (a->>'amountMinor')::bigint, e.position, e.recorded_at
              FROM events e CROSS JOIN LATERAL jsonb_array_elements(e.data->'allocations') a
             WHERE e.type = 'PaymentReceived'
            """,
        indexes: ["invoice_id, received_on"])

    public static let payments = FactTable(
        name: "payments",
        columns: """
            payment_id uuid NOT NULL, client_id uuid NOT NULL, currency text NOT NULL, received_on date NOT NULL, \
            amount bigint NOT NULL, unapplied bigint NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "payment_id, client_id, currency, received_on, amount, unapplied, position, recorded_at",
        select: """
            SELECT (e.data->>'paymentId')::uuid, (e.data->>'clientId')::uuid, e.data->>'currency',
                   (e.data->>'receivedOn')::date, (e.data->>'amountMinor')::bigint,
                   coalesce((e.data->>'unappliedMinor')::bigint, 0), e.position, e.recorded_at
              FROM events e WHERE e.type = 'PaymentReceived'
            """,
        indexes: ["client_id, received_on"])

    public static let creditNotes = FactTable(
        name: "credit_notes",
        columns: """
            invoice_id uuid NOT NULL, client_id uuid NOT NULL, issued_on date NOT NULL, amount bigint NOT NULL, \
            position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "invoice_id, client_id, issued_on, amount, position, recorded_at",
        select: """
            SELECT (e.data->>'invoiceId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'issuedOn')::date,
                   (e.data->>'amountMinor')::bigint, e.position, e.recorded_at
              FROM events e WHERE e.type = 'CreditNoteIssued'
            """,
        indexes: ["invoice_id, issued_on"])

    public static let writeOffs = FactTable(
        name: "write_offs",
        columns: """
            invoice_id uuid NOT NULL, client_id uuid NOT NULL, written_off_on date NOT NULL, amount bigint NOT NULL, \
            position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "invoice_id, client_id, written_off_on, amount, position, recorded_at",
        select: """
            SELECT (e.data->>'invoiceId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'writtenOffOn')::date,
                   (e.data->>'amountMinor')::bigint, e.position, e.recorded_at
              FROM events e WHERE e.type = 'InvoiceWrittenOff'
            """,
        indexes: ["invoice_id, written_off_on"])

    public static let orders = FactTable(
        name: "orders",
        columns: """
            order_id uuid NOT NULL, client_id uuid NOT NULL, placed_on date NOT NULL, amount bigint NOT NULL, \
            currency text NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "order_id, client_id, placed_on, amount, currency, position, recorded_at",
        select: """
            SELECT (e.data->>'orderId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'placedOn')::date,
                   (e.data->>'amountMinor')::bigint, e.data->>'currency', e.position, e.recorded_at
              FROM events e WHERE e.type = 'OrderPlaced'
            """,
        indexes: ["client_id, placed_on"])

    /// Touches count on the UTC date of `occurredAt`: schema version 2 carries
    /// it as `occurredOn`; for version 1 it is the date part of the RFC 3339
    /// UTC instant (read as text, so a fraction is never rounded into the
    /// next day).
    public static let touches = FactTable(
        name: "touches",
        columns: """
            touch_id uuid NOT NULL, client_id uuid NOT NULL, deal_id uuid, occurred_on date NOT NULL, \
            position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "touch_id, client_id, deal_id, occurred_on, position, recorded_at",
        select: """
            SELECT (e.data->>'touchId')::uuid, (e.data->>'clientId')::uuid, (e.data->>'dealId')::uuid,
                   coalesce((e.data->>'occurredOn')::date, left(e.data->>'occurredAt', 10)::date),
                   e.position, e.recorded_at
              FROM events e WHERE e.type = 'TouchRecorded'
            """,
        indexes: ["client_id, occurred_on", "deal_id, occurred_on"])

    public static let deals = FactTable(
        name: "deals",
        columns: """
            deal_id uuid NOT NULL, client_id uuid NOT NULL, pipeline text NOT NULL, title text, \
            amount bigint NOT NULL, currency text NOT NULL, opened_on date NOT NULL, position bigint NOT NULL, \
            recorded_at timestamptz NOT NULL
            """,
        insertColumns: "deal_id, client_id, pipeline, title, amount, currency, opened_on, position, recorded_at",
        select: """
            SELECT (e.data->>'dealId')::uuid, (e.data->>'clientId')::uuid, e.data->>'pipeline', e.data->>'title',
                   (e.data->>'amountMinor')::bigint, e.data->>'currency', (e.data->>'openedOn')::date,
                   e.position, e.recorded_at
              FROM events e WHERE e.type = 'DealOpened'
            """,
        indexes: ["pipeline, opened_on", "deal_id"])

    /// A deal enters its first stage when opened and another one on every move.
    public static let stageEntries = FactTable(
        name: "stage_entries",
        columns: "deal_id uuid NOT NULL, stage text NOT NULL, entered_on date NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL",
        insertColumns: "deal_id, stage, entered_on, position, recorded_at",
        select: """
            SELECT (e.data->>'dealId')::uuid, e.data->>'stage',
                   CASE WHEN e.type = 'DealOpened' THEN (e.data->>'openedOn')::date ELSE (e.data->>'movedOn')::date END,
                   e.position, e.recorded_at
              FROM events e WHERE e.type IN ('DealOpened', 'DealStageMoved')
            """,
        indexes: ["deal_id, entered_on, position"])

    public static let offers = FactTable(
        name: "offers",
        columns: """
            deal_id uuid NOT NULL, offered_on date NOT NULL, amount bigint NOT NULL, currency text NOT NULL, \
            position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "deal_id, offered_on, amount, currency, position, recorded_at",
        select: """
            SELECT (e.data->>'dealId')::uuid, (e.data->>'offeredOn')::date, (e.data->>'amountMinor')::bigint,
                   e.data->>'currency', e.position, e.recorded_at
              FROM events e WHERE e.type = 'OfferMade'
            """,
        indexes: ["deal_id, offered_on, position"])

    public static let objections = FactTable(
        name: "objections",
        columns: "objection_id uuid NOT NULL, deal_id uuid NOT NULL, raised_on date NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL",
        insertColumns: "objection_id, deal_id, raised_on, position, recorded_at",
        select: """
            SELECT (e.data->>'objectionId')::uuid, (e.data->>'dealId')::uuid, (e.data->>'raisedOn')::date,
                   e.position, e.recorded_at
              FROM events e WHERE e.type = 'ObjectionRaised'
            """,
        indexes: ["deal_id, raised_on"])

    public static let objectionOutcomes = FactTable(
        name: "objection_outcomes",
        columns: "objection_id uuid NOT NULL, deal_id uuid NOT NULL, handled_on date NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL",
        insertColumns: "objection_id, deal_id, handled_on, position, recorded_at",
        select: """
            SELECT (e.data->>'objectionId')::uuid, (e.data->>'dealId')::uuid, (e.data->>'handledOn')::date,
                   e.position, e.recorded_at
              FROM events e WHERE e.type = 'ObjectionHandled'
            """,
        indexes: ["objection_id, handled_on"])

    /// Wins and losses; `DealLost.reason` is a string (schema version 1 and 2).
    public static let closes = FactTable(
        name: "closes",
        columns: """
            deal_id uuid NOT NULL, outcome text NOT NULL, closed_on date NOT NULL, refused_by text, reason text, \
            stage text NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL
            """,
        insertColumns: "deal_id, outcome, closed_on, refused_by, reason, stage, position, recorded_at",
        select: """
            SELECT (e.data->>'dealId')::uuid, CASE WHEN e.type = 'DealWon' THEN 'won' ELSE 'lost' END,
                   CASE WHEN e.type = 'DealWon' THEN (e.data->>'wonOn')::date ELSE (e.data->>'lostOn')::date END,
                   e.data->>'refusedBy', e.data->>'reason', e.data->>'stage', e.position, e.recorded_at
              FROM events e WHERE e.type IN ('DealWon', 'DealLost')
            """,
        indexes: ["deal_id, closed_on"])

    public static let pipelines = FactTable(
        name: "pipelines",
        columns: "pipeline text NOT NULL, stages text[] NOT NULL, position bigint NOT NULL, recorded_at timestamptz NOT NULL",
        insertColumns: "pipeline, stages, position, recorded_at",
        select: """
            SELECT e.data->>'pipeline', ARRAY(SELECT jsonb_array_elements_text(e.data->'stages')),
                   e.position, e.recorded_at
              FROM events e WHERE e.type = 'PipelineDefined'
            """,
        indexes: ["pipeline, position"])
}
