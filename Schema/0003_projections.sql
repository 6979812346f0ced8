-- Read models: the schema they live in and the registry of their generations.
--
-- Every projection (board, aging, retention, funnel) keeps its tables in
-- `readmodels`, named <name>_v<version>_g<generation>_<table>. The tables are
-- created by the code that fills them (a rebuild creates a new generation
-- beside the live one); this registry says which generation serves and the
-- log position it has applied. At most one generation per projection is live
-- and at most one is being rebuilt.

CREATE SCHEMA IF NOT EXISTS readmodels;

CREATE SEQUENCE readmodels.projection_generation AS integer;

CREATE TABLE readmodels.projection_state (
    name               text        NOT NULL,
    generation         integer     NOT NULL,
    version            integer     NOT NULL CHECK (version >= 1),
    state              text        NOT NULL CHECK (state IN ('live', 'rebuilding')),
    position           bigint      NOT NULL DEFAULT 0 CHECK (position >= 0),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- A rebuilding generation's progress: when it started and the safe head it aims at.
    rebuild_started_at timestamptz,
    rebuild_target     bigint,
    -- The last rebuild that was refused (checksum mismatch at the same version), on the live row.
    last_rebuild_error text,
    PRIMARY KEY (name, generation)
);
CREATE UNIQUE INDEX projection_state_live ON readmodels.projection_state (name) WHERE state = 'live';
CREATE UNIQUE INDEX projection_state_rebuilding ON readmodels.projection_state (name) WHERE state = 'rebuilding';
