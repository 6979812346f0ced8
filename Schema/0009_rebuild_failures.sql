-- A failed rebuild stays visible: when it failed, beside what failed, on the live row of the read
-- model (GET /v1/projections shows both as lastRebuildError, and /metrics as
-- touchstone_projection_rebuild_failed) until a rebuild of it succeeds and its new live row
-- replaces that one.
ALTER TABLE readmodels.projection_state ADD COLUMN last_rebuild_error_at timestamptz;
UPDATE readmodels.projection_state SET last_rebuild_error_at = updated_at WHERE last_rebuild_error IS NOT NULL;
