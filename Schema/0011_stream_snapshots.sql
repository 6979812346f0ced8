-- Snapshots of the deciders' states: a cache, never the truth.
--
-- Deciding a command folds the stream it appends to (and the streams it reads). A long stream
-- (a client touched daily for years, its receivables) is folded from its latest snapshot here and
-- only the events after it. A snapshot is kept per stream and decider, with the stream version it
-- was folded at and the version of the code that folded it (fold_version): a process ignores a
-- snapshot of another fold version, one that does not decode (and deletes it), and one claiming a
-- version the stream has not reached; the append's expected version decides whether a decision
-- stands, whatever a snapshot said. A snapshot holds no personal value (the deciders read none),
-- so an erasure has nothing to do here. Rows are replaced as streams grow; this table is not part
-- of the append-only log.
CREATE TABLE stream_snapshots (
    stream_id      text        NOT NULL,
    decider        text        NOT NULL,
    fold_version   integer     NOT NULL CHECK (fold_version >= 1),
    stream_version bigint      NOT NULL CHECK (stream_version >= 1),
    state          text        NOT NULL,
    taken_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_id, decider)
);

-- Snapshots of a client history's derived state (the `state` of GET /v1/clients/{id}/history):
-- the fold of every event of the client up to `position`, the latest business date and recording
-- instant among them. A history as of `asOf`, as known at `knownAt`, starts from the latest
-- snapshot whose events all count for it (max_business_date <= asOf, max_recorded_at <= knownAt)
-- and folds only the events after it. The client's name and its deals' titles are held sealed,
-- as in the log: an erasure makes them unreadable here too. A cache like stream_snapshots.
CREATE TABLE client_history_snapshots (
    client_id         uuid        NOT NULL,
    fold_version      integer     NOT NULL CHECK (fold_version >= 1),
    position          bigint      NOT NULL CHECK (position >= 1),
    max_business_date date        NOT NULL,
    max_recorded_at   timestamptz NOT NULL,
    state             text        NOT NULL,
    taken_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, fold_version, position)
);

-- Tokens are kept in memory briefly once verified (touchstone serve); any change to
-- access_tokens (a revocation from any process, the CLI, or by hand) is announced on
-- 'touchstone_tokens' when it commits, and every process then forgets the tokens it keeps.
-- Tokens change rarely, so this NOTIFY does not serialise anything that matters.
CREATE FUNCTION announce_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('touchstone_tokens', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER access_tokens_changed AFTER UPDATE OR DELETE OR TRUNCATE ON access_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION announce_token_change();
