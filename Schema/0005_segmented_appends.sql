-- Appends to several streams in one call and one transaction, for the import: a batch of a few
-- hundred lines spread over many streams costs one round trip, one commit and one INSERT instead
-- of one of each per stream.

-- Appends segments atomically: segment s moves p_streams[s] on by p_counts[s] events if it is at
-- p_expected[s] (as begin_append: -2 any, -1 must not exist, n >= 1 must be at n); the events of
-- all segments follow one another in the event arrays, segment after segment, and get positions
-- in that order. A stream may come back in a later segment, which then expects the version the
-- earlier one leaves it at. Claim c is taken for the stream of segment p_claim_segments[c].
-- Errors as begin_append's (TS409 names the stream in its message), and 23505 on event_ids_pkey
-- when an event id is already stored (no replay detection: the caller's ids are new).
CREATE FUNCTION append_segments(
    p_streams         text[],
    p_expected        bigint[],
    p_counts          integer[],
    p_clients         uuid[],
    p_event_ids       uuid[],
    p_types           text[],
    p_schema_versions integer[],
    p_data            jsonb[],
    p_metadata        jsonb[],
    p_occurred_at     timestamptz[],
    p_claim_segments  integer[],
    p_claim_scopes    text[],
    p_claim_keys      text[]
) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    new_version     bigint;
    event_streams   text[] := '{}';
    event_versions  bigint[] := '{}';
    event_clients   uuid[] := '{}';
BEGIN
    FOR segment IN 1..cardinality(p_streams) LOOP
        new_version := begin_append(p_streams[segment], p_expected[segment], p_counts[segment], '{}', '{}');
        FOR version IN new_version - p_counts[segment] + 1..new_version LOOP
            event_streams := event_streams || p_streams[segment];
            event_versions := event_versions || version;
            event_clients := event_clients || p_clients[segment];
        END LOOP;
    END LOOP;
    IF cardinality(p_claim_scopes) > 0 THEN
        INSERT INTO claims (scope, key, stream_id)
        SELECT c.scope, c.key, p_streams[c.segment]
          FROM unnest(p_claim_segments, p_claim_scopes, p_claim_keys) AS c(segment, scope, key);
    END IF;
    WITH inserted AS (
        INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version,
                            data, metadata, client_id, occurred_at)
        SELECT nextval('event_position'), u.stream_id, u.stream_version, u.event_id, u.type, u.schema_version,
               u.data, u.metadata, u.client_id, u.occurred_at
          FROM unnest(event_streams, event_versions, p_event_ids, p_types, p_schema_versions, p_data, p_metadata,
                      event_clients, p_occurred_at)
               AS u(stream_id, stream_version, event_id, type, schema_version, data, metadata, client_id, occurred_at)
        RETURNING events.event_id, events.position
    )
    INSERT INTO event_ids (event_id, position) SELECT i.event_id, i.position FROM inserted i;
END
$$;
