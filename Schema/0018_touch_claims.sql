-- Touch ids a caller chooses are kept unique by a claim (scope 'touch') taken in the append's
-- transaction, no longer by the client's decider state, which held every touch id of the client
-- and so grew, and was copied, with every touch: a key account touched daily for years made each
-- of its commands slower. Server-made touch ids are random UUIDs and take no claim.
--
-- Every touch already in the log is claimed here, since the log does not say which ids were
-- chosen by callers. Ids recorded twice before this migration (which the decider refused) cannot
-- exist; ON CONFLICT keeps the migration safe to run on any log.
INSERT INTO claims (scope, key, stream_id)
SELECT 'touch', data ->> 'touchId', stream_id
  FROM events
 WHERE type = 'TouchRecorded' AND data ? 'touchId'
ON CONFLICT DO NOTHING;
