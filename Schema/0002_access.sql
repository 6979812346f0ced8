-- Access: bearer tokens and idempotency records.

-- A token's secret is never stored: only its SHA-256 (lowercase hex), which
-- is what a presented bearer token is looked up by.
CREATE TABLE access_tokens (
    token_id    uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (name <> ''),
    role        text        NOT NULL CHECK (role IN ('sales', 'accountant', 'backoffice', 'admin')),
    secret_hash text        NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX access_tokens_name ON access_tokens (name) WHERE revoked_at IS NULL;

-- One row per Idempotency-Key in its scope (token subject, method, path).
-- A request claims its key with an 'in-progress' row; a 2xx answer turns it
-- 'completed' with the response to replay; any other answer deletes the
-- claim so a retry is judged afresh. Rows older than the retention (24 h by
-- default) count as absent and are deleted as new requests come in.
CREATE TABLE idempotency_keys (
    subject      text        NOT NULL,
    method       text        NOT NULL,
    path         text        NOT NULL,
    key          text        NOT NULL CHECK (key ~ '^[!-~]{1,255}$'),
    request_hash text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('in-progress', 'completed')),
    status       integer,
    content_type text,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, method, path, key),
    CHECK (state = 'in-progress' OR (status IS NOT NULL AND content_type IS NOT NULL AND body IS NOT NULL))
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
