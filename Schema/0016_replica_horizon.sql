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
-- The primary's rule is kept as it was, under a new name, and safe_position() chooses.
ALTER FUNCTION safe_position() RENAME TO safe_position_on_primary;

CREATE FUNCTION safe_position() RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN pg_is_in_recovery()
                THEN coalesce((SELECT max(position) FROM readmodels.projection_state WHERE state = 'live'), 0)
                ELSE safe_position_on_primary()
           END
$$;
