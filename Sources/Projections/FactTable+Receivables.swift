import Sales

/// The facts of receivables (aging, the per-invoice list): invoices and what reduced them.
extension FactTable {
    public static let invoices = FactTable(
        name: "invoices", from: FactRows(types: [InvoiceIssued.eventType]),
        columns: [
            FactColumn("invoice_id", "uuid NOT NULL", .field("invoiceId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("number", "text NOT NULL", .field("number")),
            FactColumn("issued_on", "date NOT NULL", .field("issuedOn")),
            FactColumn("due_on", "date NOT NULL", .field("dueOn")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")),
            FactColumn("currency", "text NOT NULL", .field("currency")), .position, .recordedAt,
        ],
        indexes: ["invoice_id", "client_id, issued_on"])

    /// A row per allocation of a payment to an invoice.
    public static let allocations = FactTable(
        name: "allocations", from: FactRows(types: [PaymentReceived.eventType], elements: "allocations"),
        columns: [
            FactColumn("payment_id", "uuid NOT NULL", .field("paymentId")),
            FactColumn("invoice_id", "uuid NOT NULL", .element("invoiceId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("received_on", "date NOT NULL", .field("receivedOn")),
            FactColumn("amount", "bigint NOT NULL", .element("amountMinor")), .position, .recordedAt,
        ],
        indexes: ["invoice_id, received_on"])

    public static let payments = FactTable(
        name: "payments", from: FactRows(types: [PaymentReceived.eventType]),
        columns: [
            FactColumn("payment_id", "uuid NOT NULL", .field("paymentId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("currency", "text NOT NULL", .field("currency")),
            FactColumn("received_on", "date NOT NULL", .field("receivedOn")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")),
            FactColumn("unapplied", "bigint NOT NULL", .expression("coalesce((e.data->>'unappliedMinor')::bigint, 0)")),
            .position, .recordedAt,
        ],
        indexes: ["client_id, received_on"])

    public static let creditNotes = FactTable(
        name: "credit_notes", from: FactRows(types: [CreditNoteIssued.eventType]),
        columns: [
            FactColumn("invoice_id", "uuid NOT NULL", .field("invoiceId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("issued_on", "date NOT NULL", .field("issuedOn")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")), .position, .recordedAt,
        ],
        indexes: ["invoice_id, issued_on"])

    public static let writeOffs = FactTable(
        name: "write_offs", from: FactRows(types: [InvoiceWrittenOff.eventType]),
        columns: [
            FactColumn("invoice_id", "uuid NOT NULL", .field("invoiceId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("written_off_on", "date NOT NULL", .field("writtenOffOn")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")), .position, .recordedAt,
        ],
        indexes: ["invoice_id, written_off_on"])

    /// Promises to pay an invoice: the day made, the day promised, the amount (the note is not kept).
    public static let promises = FactTable(
        name: "promises", from: FactRows(types: [PaymentPromised.eventType]),
        columns: [
            FactColumn("promise_id", "uuid NOT NULL", .field("promiseId")),
            FactColumn("invoice_id", "uuid NOT NULL", .field("invoiceId")),
            FactColumn("made_on", "date NOT NULL", .field("madeOn")),
            FactColumn("promised_on", "date NOT NULL", .field("promisedOn")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")), .position, .recordedAt,
        ],
        indexes: ["invoice_id, made_on, position"])

    /// Payment reminders of invoices: the day sent, the channel and the level (the note is not kept).
    public static let reminders = FactTable(
        name: "reminders", from: FactRows(types: [PaymentReminderSent.eventType]),
        columns: [
            FactColumn("reminder_id", "uuid NOT NULL", .field("reminderId")),
            FactColumn("invoice_id", "uuid NOT NULL", .field("invoiceId")),
            FactColumn("sent_on", "date NOT NULL", .field("sentOn")),
            FactColumn("channel", "text NOT NULL", .field("channel")),
            FactColumn("level", "integer NOT NULL", .field("level")), .position, .recordedAt,
        ],
        indexes: ["invoice_id, sent_on, position"])
}

/// Tables of current state, folded from every fact whatever its date: each keeps `latest_on`, the
/// latest business date among its facts (see ``FactTable/Fold``).
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
            FactColumn(
                "open", "numeric GENERATED ALWAYS AS (CASE WHEN written_off THEN 0 ELSE amount - reduced END) STORED"),
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
                    columns:
                        "invoice_id, false, NULL, NULL, NULL, NULL, NULL, amount::numeric, false, received_on, NULL"),
                Source(
                    table: .creditNotes,
                    columns: "invoice_id, false, NULL, NULL, NULL, NULL, NULL, amount::numeric, false, issued_on, NULL"),
                Source(
                    table: .writeOffs,
                    columns: "invoice_id, false, NULL, NULL, NULL, NULL, NULL, 0, true, written_off_on, NULL"),
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
}
