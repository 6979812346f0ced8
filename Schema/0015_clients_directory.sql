-- The clients directory (the `directory` read model) searches clients by any part of their name
-- with a trigram index (`gin_trgm_ops`) on each generation's `client_names.search_name`, the
-- name lowercased by the projection runner in Swift (never by PostgreSQL's lower(), whose result
-- depends on the cluster's locale). pg_trgm ships with Debian's postgresql-15 (its contrib
-- modules are in the same package) and is a trusted extension: the owner role may create it with
-- CREATE on the database, no superuser needed. It goes into `public`, whose USAGE the runtime
-- role already has (0013); its functions are executable by everyone, so no grant changes.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
