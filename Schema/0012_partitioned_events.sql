-- The log, range-partitioned by position.
--
-- `events` becomes a table partitioned by range of `position`; the table it was (with every event
-- stored so far) is attached as its first partition, covering positions up to the next multiple of
-- the partition size, so nothing is copied. Later partitions are made ahead of need by
-- ensure_event_partitions(), which `touchstone migrate`, `serve` and `project` call (the runtime role
-- may execute it; it runs as the owner). Every partition gets the append-only triggers and the
-- parent's grants. Nothing needs more than the partition key to be unique: one version per stream is
-- guarded by `streams`, event ids by `event_ids`, business keys by `claims`.

-- The size of a partition (positions) and how many are kept ready above the highest position handed
-- out; `covered_to` is the upper bound (exclusive) of the highest partition.
CREATE TABLE event_partitioning (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    partition_size   bigint  NOT NULL CHECK (partition_size >= 100),
    partitions_ahead integer NOT NULL CHECK (partitions_ahead >= 1),
    covered_to       bigint  NOT NULL
);

DO $$
DECLARE
    size     constant bigint := 10000000;
    boundary bigint;
BEGIN
    SELECT (coalesce(max(position), 0) / size + 1) * size INTO boundary FROM events;

    -- The table so far becomes the first partition, with its own names.
    ALTER TABLE events RENAME TO events_from_0;
    ALTER TABLE events_from_0 RENAME CONSTRAINT events_pkey TO events_from_0_pkey;
    ALTER INDEX events_stream RENAME TO events_from_0_stream;
    ALTER INDEX events_client RENAME TO events_from_0_client;
    -- (Its CHECK constraints keep their names: the parent names its own alike, which is how a
    -- partition's constraints are matched to the parent's.)
    -- The row trigger comes back from the parent, which clones it onto every partition.
    DROP TRIGGER events_append_only ON events_from_0;

    CREATE TABLE events (
        position        bigint      NOT NULL DEFAULT nextval('event_position'),
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text        NOT NULL,
        stream_version  bigint      NOT NULL CONSTRAINT events_stream_version_check CHECK (stream_version >= 1),
        event_id        uuid        NOT NULL,
        type            text        NOT NULL,
        schema_version  integer     NOT NULL CONSTRAINT events_schema_version_check CHECK (schema_version >= 1),
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL,
        client_id       uuid,
        occurred_at     timestamptz NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (position)
    ) PARTITION BY RANGE (position);
    CREATE INDEX events_stream ON events (stream_id, stream_version);
    CREATE INDEX events_client ON events (client_id, position) WHERE client_id IS NOT NULL;
    -- The existing indexes match the parent's, so attaching adopts them instead of building new ones.
    EXECUTE format('ALTER TABLE events ATTACH PARTITION events_from_0 FOR VALUES FROM (MINVALUE) TO (%s)', boundary);
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

    INSERT INTO event_partitioning (partition_size, partitions_ahead, covered_to) VALUES (size, 2, boundary);
END
$$;

-- Makes the partitions that keep `partitions_ahead` whole partitions ready above the highest position
-- handed out; answers how many it made. Each new partition is named `events_from_<first position>`
-- and gets the TRUNCATE trigger (row triggers come from the parent). Then every partition is given
-- the grants the parent has (again: `touchstone migrate` grants the parent after the migrations), so
-- a role reads a partition as it reads the log. Concurrent calls queue on the settings row.
CREATE FUNCTION ensure_event_partitions() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    settings event_partitioning%ROWTYPE;
    head     bigint;
    made     integer := 0;
    name     text;
    grant_   record;
BEGIN
    SELECT * INTO settings FROM event_partitioning FOR UPDATE;
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO head FROM event_position;
    WHILE settings.covered_to <= head + settings.partitions_ahead * settings.partition_size LOOP
        name := 'events_from_' || settings.covered_to;
        EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
                       name, settings.covered_to, settings.covered_to + settings.partition_size);
        EXECUTE format('CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()', name);
        settings.covered_to := settings.covered_to + settings.partition_size;
        made := made + 1;
    END LOOP;
    UPDATE event_partitioning SET covered_to = settings.covered_to;
    FOR grant_ IN
        SELECT p.inhrelid::regclass AS partition, g.grantee, g.privilege_type
          FROM pg_inherits p, information_schema.role_table_grants g
         WHERE p.inhparent = 'events'::regclass
           AND g.table_schema = 'public' AND g.table_name = 'events' AND g.grantee <> current_user
    LOOP
        EXECUTE format('GRANT %s ON %s TO %s', grant_.privilege_type, grant_.partition,
                       CASE WHEN grant_.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(grant_.grantee) END);
    END LOOP;
    RETURN made;
END
$$;

SELECT ensure_event_partitions();
