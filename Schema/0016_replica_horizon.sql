-- The safe horizon of the log on a hot standby.
--
-- On the primary, safe_position() is the highest position below every append still in flight:
-- each append holds a shared advisory lock on the head it started from, and the sequence
-- event_position gives the head. A hot standby sees neither: the primary's advisory locks are not
-- replicated, and the standby reads the sequence as far as the primary has logged it (PostgreSQL
-- logs sequences up to 32 values ahead). The same rule there would let a reader of the feed pass a
-- position whose append commits on the primary later, and skip it for good.
--
-- So a standby never reads past the newest checkpoint of a live read model: the primary's
-- projection runner only moves a checkpoint up to a safe horizon of the primary, and the
-- checkpoint's commit is replayed after every event at or below it. The feed, the histories and
-- the reports of a replica therefore trail the primary by the runner's lag as well as by the
-- replication delay, and a standby whose primary runs no runner serves no events at all.
CREATE OR REPLACE FUNCTION safe_position() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head bigint;
    held bigint;
BEGIN
    -- The head first: an append that locks after this read takes positions above it.
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO head FROM event_position;
    IF pg_is_in_recovery() THEN
        RETURN least(head, coalesce(
            (SELECT max(position) FROM readmodels.projection_state WHERE state = 'live'), 0));
    END IF;
    SELECT min((classid::bigint << 32) | objid::bigint) INTO held
      FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database());
    RETURN least(head, held);
END
$$;
