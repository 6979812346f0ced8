#!/bin/sh
# Creates Touchstone's database and its two login roles on the first start of
# the postgres container (mounted into /docker-entrypoint-initdb.d by
# deploy/compose.yaml; the image runs it once, on an empty data directory).
#
#   touchstone_owner  owns the database and runs `touchstone migrate`
#                     (DATABASE_OWNER_URL): creates the event store's tables
#                     and grants the runtime role what it may do.
#   touchstone_app    the runtime role (DATABASE_URL) of `touchstone serve`:
#                     INSERT and SELECT on the event tables, owner of the
#                     read-model schema. No DDL on the event store, no UPDATE
#                     or DELETE of events.
#
# The owner is made a member of the runtime role so that migrations can
# create the read-model schema AUTHORIZATION touchstone_app (PostgreSQL only
# lets a role create objects owned by a role it is a member of). The runtime
# role is not a member of the owner.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_password="$TOUCHSTONE_OWNER_PASSWORD" \
     -v app_password="$TOUCHSTONE_APP_PASSWORD" <<'SQL'
CREATE ROLE touchstone_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE touchstone_app LOGIN PASSWORD :'app_password';
GRANT touchstone_app TO touchstone_owner;
CREATE DATABASE touchstone OWNER touchstone_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE touchstone FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE touchstone TO touchstone_app;
\connect touchstone
-- PostgreSQL 15 already denies CREATE on schema public to PUBLIC; the owner
-- of the database owns it and decides.
ALTER SCHEMA public OWNER TO touchstone_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO touchstone_app;
SQL
