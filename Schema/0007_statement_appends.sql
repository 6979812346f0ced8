-- An append to one stream is now one statement sent by the store (see
-- EventStore.appendStatement): the same writes in the same order (the
-- stream's row, claims, the ordering lock, the events, their ids), without a
-- plpgsql function, each of whose statements took a snapshot of its own. The
-- functions it replaces go; `begin_append` stays for `append_segments`.

DROP FUNCTION append_event(text, bigint, uuid, uuid, text, integer, jsonb, jsonb, timestamptz, text[], text[]);
DROP FUNCTION append_events(text, bigint, uuid, uuid[], text[], integer[], jsonb[], jsonb[], timestamptz[], text[], text[]);
