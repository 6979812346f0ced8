-- Leaner appends: a single-event function with scalar parameters, and event
-- ids inserted plainly (a stored id surfaces as a unique violation on
-- event_ids_pkey, which the client resolves with `stored_batch`).

-- Moves `p_stream` on by `p_count` versions if it is at `p_expected`, takes
-- the batch's business-key claims, and takes the commit-safe ordering lock;
-- answers the stream's new version. Shared by both append functions.
-- p_expected: -2 any version, -1 the stream must not exist, n >= 1 it must be at n.
-- Errors: TS409 version conflict (DETAIL: the current version), 23505 on
-- claims_pkey when a claimed business key is taken.
CREATE FUNCTION begin_append(
    p_stream text, p_expected bigint, p_count bigint, p_claim_scopes text[], p_claim_keys text[]
) RETURNS bigint
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    new_version     bigint;
    current_version bigint;
    horizon         bigint;
BEGIN
    IF p_expected = -1 THEN
        INSERT INTO streams AS s (stream_id, version) VALUES (p_stream, p_count)
            ON CONFLICT (stream_id) DO NOTHING
            RETURNING s.version INTO new_version;
    ELSIF p_expected = -2 THEN
        INSERT INTO streams AS s (stream_id, version) VALUES (p_stream, p_count)
            ON CONFLICT (stream_id) DO UPDATE SET version = s.version + p_count
            RETURNING s.version INTO new_version;
    ELSE
        UPDATE streams AS s SET version = s.version + p_count
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
    -- See safe_position(): the highest position handed out before ours.
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO horizon FROM event_position;
    PERFORM pg_advisory_xact_lock_shared(horizon);
    RETURN new_version;
END
$$;

-- Appends one event: the common case, without arrays.
CREATE FUNCTION append_event(
    p_stream text, p_expected bigint, p_client uuid, p_event_id uuid, p_type text, p_schema_version integer,
    p_data jsonb, p_metadata jsonb, p_occurred_at timestamptz, p_claim_scopes text[], p_claim_keys text[],
    OUT event_position bigint, OUT event_stream_version bigint, OUT event_recorded_at timestamptz
)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    event_stream_version := begin_append(p_stream, p_expected, 1, p_claim_scopes, p_claim_keys);
    INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, client_id, occurred_at)
    VALUES (p_stream, event_stream_version, p_event_id, p_type, p_schema_version, p_data, p_metadata, p_client,
            p_occurred_at)
    RETURNING position, recorded_at INTO event_position, event_recorded_at;
    INSERT INTO event_ids (event_id, position) VALUES (p_event_id, event_position);
END
$$;

-- Appends a batch to one stream atomically; one row per event, in order.
CREATE OR REPLACE FUNCTION append_events(
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
    batch_size  bigint := cardinality(p_event_ids);
    new_version bigint := begin_append(p_stream, p_expected, batch_size, p_claim_scopes, p_claim_keys);
BEGIN
    RETURN QUERY
        WITH inserted AS (
            INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version,
                                data, metadata, client_id, occurred_at)
            SELECT nextval('event_position'), p_stream, new_version - batch_size + u.ordinal, u.event_id,
                   u.type, u.schema_version, u.data, u.metadata, p_client, u.occurred_at
              FROM unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata, p_occurred_at)
                   WITH ORDINALITY AS u(event_id, type, schema_version, data, metadata, occurred_at, ordinal)
            RETURNING events.event_id, events.position, events.stream_version, events.recorded_at
        ), ids AS (
            INSERT INTO event_ids (event_id, position) SELECT i.event_id, i.position FROM inserted i
        )
        SELECT i.position, i.stream_version, i.recorded_at FROM inserted i ORDER BY i.position;
END
$$;
