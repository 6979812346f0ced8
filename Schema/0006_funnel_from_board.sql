-- The funnel reads the board's facts (deals, stage entries, closes, objections,
-- pipelines), which hold all it needs, instead of keeping a copy of its own
-- that every rebuild filled, indexed and compared a second time. Its old
-- generations go: their tables and their registry rows.

DO $$
DECLARE
    stale text;
BEGIN
    FOR stale IN
        SELECT tablename FROM pg_tables WHERE schemaname = 'readmodels' AND left(tablename, 7) = 'funnel_'
    LOOP
        EXECUTE format('DROP TABLE readmodels.%I', stale);
    END LOOP;
END
$$;

DELETE FROM readmodels.projection_state WHERE name = 'funnel';
