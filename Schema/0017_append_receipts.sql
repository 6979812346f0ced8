-- Append receipts: the answer to a command sent with an Idempotency-Key, stored in the same
-- transaction as the command's events.
--
-- When the connection is lost while a command's transaction commits, the server cannot tell
-- whether it committed; it answers 503 and the client retries with the same key. The receipt
-- decides: if the first attempt committed, its receipt is there (and a second append with the
-- same receipt key fails on the primary key, whatever the second decision was), and the retry
-- gets the first answer back; if not, nothing of it is stored and the retry records the command.
-- `key` is a digest of the request (token subject, method, path, key and body), `answer` the
-- 201 document. Rows older than the idempotency retention are pruned by the server.
CREATE TABLE append_receipts (
    key       text PRIMARY KEY,
    answer    text NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX append_receipts_stored_at ON append_receipts (stored_at);

-- The runtime role also reads, writes and prunes receipts; otherwise as 0013.
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
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON append_receipts TO %I', runtime);
    EXECUTE format('ALTER SCHEMA readmodels OWNER TO %I', runtime);
    EXECUTE format('ALTER TABLE readmodels.projection_state OWNER TO %I', runtime);
    EXECUTE format('ALTER SEQUENCE readmodels.projection_generation OWNER TO %I', runtime);
END
$$;
REVOKE ALL ON FUNCTION grant_runtime_role(name) FROM PUBLIC;
