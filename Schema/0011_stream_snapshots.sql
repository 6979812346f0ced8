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

