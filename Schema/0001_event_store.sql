-- The event store: one append-only log of every fact, in commit-safe order.
--
-- Partitionable by range of position: no unique index on `events` needs more
-- than the partition key. One version per stream is guarded by `streams`,
-- event-id uniqueness by `event_ids`, and uniqueness of business keys
-- (invoice numbers) by `claims`, all written in the append's transaction.

CREATE SEQUENCE event_position AS bigint;

CREATE TABLE events (
    position        bigint      NOT NULL DEFAULT nextval('event_position'),
    transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text        NOT NULL,
    stream_version  bigint      NOT NULL CHECK (stream_version >= 1),
    event_id        uuid        NOT NULL,
    type            text        NOT NULL,
    schema_version  integer     NOT NULL CHECK (schema_version >= 1),
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    client_id       uuid,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (position)
);
CREATE INDEX events_stream ON events (stream_id, stream_version);
CREATE INDEX events_client ON events (client_id, position) WHERE client_id IS NOT NULL;

CREATE TABLE streams (
    stream_id text   PRIMARY KEY,
    version   bigint NOT NULL CHECK (version >= 1)
);

CREATE TABLE event_ids (
    event_id uuid   PRIMARY KEY,
    position bigint NOT NULL
);

-- Business keys that must be unique across streams (scope 'invoice-number'),
-- and lookups from an entity to the stream that holds it (scope 'invoice').
CREATE TABLE claims (
    scope     text NOT NULL,
    key       text NOT NULL,
    stream_id text NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Append-only, enforced by the database itself.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'TS405';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_ids_append_only BEFORE UPDATE OR DELETE ON event_ids
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_ids_no_truncate BEFORE TRUNCATE ON event_ids
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER claims_append_only BEFORE UPDATE OR DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Commit-safe reading by position.
--
-- Positions come from a sequence while transactions commit in any order, so
-- "position > checkpoint" alone would skip an event whose transaction commits
-- after a later position's. Every append therefore holds, until it ends, a
-- shared advisory lock keyed by the highest position handed out *before* it
-- takes its own positions (all of which are then larger). The safe horizon is
-- the lowest such key still held, or the sequence's head when none is: every
-- position at or below it belongs to a transaction that has already committed
-- or rolled back. Readers compute the horizon first and read the rows in a
-- later statement (a newer snapshot), so they see each committed event once,
-- in strictly increasing positions, while writers run concurrently.
CREATE FUNCTION safe_position() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head bigint;
    held bigint;
BEGIN
    -- The head first: an append that locks after this read takes positions above it.
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO head FROM event_position;
    SELECT min((classid::bigint << 32) | objid::bigint) INTO held
      FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database());
    RETURN least(head, held);
END
$$;

-- Appends a batch to one stream atomically.
-- p_expected: -2 any version, -1 the stream must not exist, n >= 1 it must be at n.
-- Answers one row per event: position, stream_version, recorded_at.
-- Errors: TS409 version conflict (DETAIL: the current version), TS208 some
-- event ids are already stored (the caller asks `stored_batch` whether this is
-- a replay), 23505 on claims_pkey when a claimed business key is taken.
-- The happy path does no look-ups: replays are rare, so they are detected by
-- the conflicts they cause, not checked for on every append.
CREATE FUNCTION append_events(
    p_stream          text,
    p_expected        bigint,
    p_client          uuid,
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions integer[],
    p_data            jsonb[],
    p_metadata        jsonb[],
    p_occurred_at     timestamptz[],
    p_claim_scopes    text[],
    p_claim_keys      text[]
) RETURNS TABLE (event_position bigint, event_stream_version bigint, event_recorded_at timestamptz)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    batch_size      bigint := cardinality(p_event_ids);
    new_version     bigint;
    current_version bigint;
    horizon         bigint;
    new_ids         bigint;
BEGIN
    IF p_expected = -1 THEN
        INSERT INTO streams AS s (stream_id, version) VALUES (p_stream, batch_size)
            ON CONFLICT (stream_id) DO NOTHING
            RETURNING s.version INTO new_version;
    ELSIF p_expected = -2 THEN
        INSERT INTO streams AS s (stream_id, version) VALUES (p_stream, batch_size)
            ON CONFLICT (stream_id) DO UPDATE SET version = s.version + batch_size
            RETURNING s.version INTO new_version;
    ELSE
        UPDATE streams AS s SET version = s.version + batch_size
         WHERE s.stream_id = p_stream AND s.version = p_expected
        RETURNING s.version INTO new_version;
    END IF;
    IF new_version IS NULL THEN
        SELECT s.version INTO current_version FROM streams s WHERE s.stream_id = p_stream;
        RAISE EXCEPTION 'stream % is at version %', p_stream, coalesce(current_version, 0)
            USING ERRCODE = 'TS409', DETAIL = coalesce(current_version, 0)::text;
    END IF;

    IF cardinality(p_claim_scopes) > 0 THEN
        INSERT INTO claims (scope, key, stream_id)
        SELECT c.scope, c.key, p_stream FROM unnest(p_claim_scopes, p_claim_keys) AS c(scope, key);
    END IF;

    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO horizon FROM event_position;
    PERFORM pg_advisory_xact_lock_shared(horizon);

    WITH inserted AS (
        INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version,
                            data, metadata, client_id, occurred_at)
        SELECT nextval('event_position'), p_stream, new_version - batch_size + u.ordinal, u.event_id,
               u.type, u.schema_version, u.data, u.metadata, p_client, u.occurred_at
          FROM unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata, p_occurred_at)
               WITH ORDINALITY AS u(event_id, type, schema_version, data, metadata, occurred_at, ordinal)
        RETURNING events.event_id, events.position
    )
    INSERT INTO event_ids (event_id, position)
    SELECT i.event_id, i.position FROM inserted i
    ON CONFLICT (event_id) DO NOTHING;
    GET DIAGNOSTICS new_ids = ROW_COUNT;
    IF new_ids < batch_size THEN
        RAISE EXCEPTION 'event ids already stored' USING ERRCODE = 'TS208';
    END IF;
    -- This transaction holds the stream's row, so these are exactly the batch.
    RETURN QUERY
        SELECT e.position, e.stream_version, e.recorded_at FROM events e
         WHERE e.stream_id = p_stream AND e.stream_version > new_version - batch_size
         ORDER BY e.stream_version;
END
$$;

-- Whether a batch is already stored: its events' positions, stream version and
-- recording instant when every id is stored in `p_stream` with the same type,
-- schema version and payload (compared as jsonb, so key order and white space
-- do not matter); no rows when none is stored; TS422 when some are stored
-- with other content or only part of the batch is.
CREATE FUNCTION stored_batch(
    p_stream text, p_event_ids uuid[], p_types text[], p_schema_versions integer[], p_data jsonb[]
) RETURNS TABLE (event_position bigint, event_stream_version bigint, event_recorded_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    stored   bigint;
    matching bigint;
BEGIN
    SELECT count(*),
           count(*) FILTER (WHERE ev.stream_id = p_stream AND ev.type = u.type
                              AND ev.schema_version = u.schema_version AND ev.data = u.data)
      INTO stored, matching
      FROM unnest(p_event_ids, p_types, p_schema_versions, p_data) AS u(event_id, type, schema_version, data)
      JOIN event_ids e ON e.event_id = u.event_id
      JOIN events ev ON ev.position = e.position;
    IF stored = 0 THEN
        RETURN;
    END IF;
    IF stored < cardinality(p_event_ids) OR matching < stored THEN
        RAISE EXCEPTION 'event ids already stored with other content' USING ERRCODE = 'TS422';
    END IF;
    RETURN QUERY
        SELECT ev.position, ev.stream_version, ev.recorded_at
          FROM event_ids e JOIN events ev ON ev.position = e.position
         WHERE e.event_id = ANY (p_event_ids)
         ORDER BY ev.position;
END
$$;

-- An instant as RFC 3339 in UTC, with the fraction only when non-zero and
-- without trailing zeros (microsecond precision, as stored).
CREATE FUNCTION format_instant(p timestamptz) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN extract(microseconds FROM p)::bigint % 1000000 = 0 THEN ''
                ELSE '.' || rtrim(to_char(p AT TIME ZONE 'UTC', 'US'), '0') END
        || 'Z'
$$;
