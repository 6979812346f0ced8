-- What the runtime role (DATABASE_URL) may do, in the schema beside the tables it concerns.
--
-- A migration cannot know the runtime role's name (it is whoever DATABASE_URL logs in as), so
-- the grants are a function of that name: `touchstone migrate` calls it after the migrations
-- with the runtime role it finds, and only in a two-role set-up. A migration that adds a table
-- the runtime role needs replaces this function with the longer list. (A group role would hold
-- the grants without a name, but roles are cluster-wide and creating one needs CREATEROLE,
-- which the owner does not have.)
--
-- The runtime role gets, on the log, SELECT and INSERT of every column but the ordering ones
-- (`position`, `transaction_id`) and `recorded_at`, which the database sets (never UPDATE, DELETE
-- or TRUNCATE); what appends need on the guard tables; on tokens SELECT, INSERT and UPDATE of
-- `revoked_at` only (0010 keeps a revocation final); what idempotency records, data keys and the snapshots of states (0011) need;
-- and ownership of the read-model schema (rebuilds create and drop its tables).
CREATE OR REPLACE FUNCTION grant_runtime_role(runtime name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON events, event_ids, claims FROM %I', runtime);
    EXECUTE format('REVOKE INSERT ON events FROM %I', runtime);
    EXECUTE format('GRANT SELECT ON events TO %I', runtime);
    EXECUTE format('GRANT INSERT (stream_id, stream_version, event_id, type, schema_version, data, metadata, '
                   'client_id, occurred_at) ON events TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT ON event_ids, claims TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON streams TO %I', runtime);
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE event_position TO %I', runtime);
    EXECUTE format('GRANT SELECT ON schema_migrations TO %I', runtime);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON access_tokens FROM %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT ON access_tokens TO %I', runtime);
    EXECUTE format('GRANT UPDATE (revoked_at) ON access_tokens TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON personal_data_keys TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON stream_snapshots, client_history_snapshots TO %I', runtime);
    EXECUTE format('ALTER SCHEMA readmodels OWNER TO %I', runtime);
    EXECUTE format('ALTER TABLE readmodels.projection_state OWNER TO %I', runtime);
    EXECUTE format('ALTER SEQUENCE readmodels.projection_generation OWNER TO %I', runtime);
END
$$;
REVOKE ALL ON FUNCTION grant_runtime_role(name) FROM PUBLIC;
