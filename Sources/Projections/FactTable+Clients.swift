import Sales

/// The facts of clients (retention, the history's lookups): registrations, orders and touches.
extension FactTable {
    public static let clients = FactTable(
        name: "clients", from: FactRows(types: [ClientRegistered.eventType]),
        columns: [
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")), FactColumn("name", "text", .field("name")),
            FactColumn("registered_on", "date NOT NULL", .field("registeredOn")), .position, .recordedAt,
        ],
        indexes: ["client_id"])

    public static let orders = FactTable(
        name: "orders", from: FactRows(types: [OrderPlaced.eventType]),
        columns: [
            FactColumn("order_id", "uuid NOT NULL", .field("orderId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("placed_on", "date NOT NULL", .field("placedOn")),
            FactColumn("amount", "bigint NOT NULL", .field("amountMinor")),
            FactColumn("currency", "text NOT NULL", .field("currency")), .position, .recordedAt,
        ],
        indexes: ["client_id, placed_on"])

    /// Touches count on the UTC date of `occurredAt`: schema version 2 carries it as
    /// `occurredOn`; for version 1 it is the date part of the RFC 3339 UTC instant (read as text,
    /// so a fraction is never rounded into the next day).
    public static let touches = FactTable(
        name: "touches", from: FactRows(types: [TouchRecorded.eventType]),
        columns: [
            FactColumn("touch_id", "uuid NOT NULL", .field("touchId")),
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")),
            FactColumn("deal_id", "uuid", .field("dealId")),
            FactColumn(
                "occurred_on", "date NOT NULL",
                .expression("coalesce((e.data->>'occurredOn')::date, left(e.data->>'occurredAt', 10)::date)")),
            .position, .recordedAt,
        ],
        indexes: ["client_id, occurred_on"])
}

/// Tables of current state, folded from every fact whatever its date: each keeps `latest_on`, the
/// latest business date among its facts (see ``FactTable/Fold``).
extension FactTable {
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

}
