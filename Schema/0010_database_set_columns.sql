-- Hardening of the log and of the tokens.
--
-- The ordering columns of `events` (position, transaction_id) and recorded_at are set by the
-- database (their defaults), never by the statement that inserts: `touchstone migrate` grants the
-- runtime role INSERT on the other columns only, so an insert naming one of them is refused.
-- append_segments, which drew positions itself, now leaves them to the default too; the rows
-- still take their positions in the order of the SELECT, segment after segment.
--
-- A token may carry an expiry (expires_at, NULL: none); an expired token is refused like a
-- revoked one. A revocation is final: no role can clear or move revoked_at once set (and the
-- runtime role may update no other column of access_tokens).

ALTER TABLE access_tokens ADD COLUMN expires_at timestamptz;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_expiry_after_creation
    CHECK (expires_at IS NULL OR expires_at > created_at);

CREATE FUNCTION keep_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
        RAISE EXCEPTION 'a revoked token stays revoked (token %)', OLD.token_id USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER access_tokens_revocation_final BEFORE UPDATE OF revoked_at ON access_tokens
    FOR EACH ROW EXECUTE FUNCTION keep_revocation();

CREATE OR REPLACE FUNCTION append_segments(
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
        INSERT INTO events (stream_id, stream_version, event_id, type, schema_version,
                            data, metadata, client_id, occurred_at)
        SELECT u.stream_id, u.stream_version, u.event_id, u.type, u.schema_version,
               u.data, u.metadata, u.client_id, u.occurred_at
          FROM unnest(event_streams, event_versions, p_event_ids, p_types, p_schema_versions, p_data, p_metadata,
                      event_clients, p_occurred_at)
               AS u(stream_id, stream_version, event_id, type, schema_version, data, metadata, client_id, occurred_at)
        RETURNING events.event_id, events.position
    )
    INSERT INTO event_ids (event_id, position) SELECT i.event_id, i.position FROM inserted i;
END
$$;
