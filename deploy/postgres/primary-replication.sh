#!/bin/sh
# Run once by the postgres image when `db` initialises its data directory
# (/docker-entrypoint-initdb.d): a role that streams the WAL to `db-replica`, and the pg_hba line
# that lets it connect for replication. PostgreSQL 15's defaults (wal_level=replica,
# max_wal_senders=10) already allow streaming. An existing data volume does not run this again:
# create the role and add the line by hand there (docs/scaling.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD:-replicator}';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
