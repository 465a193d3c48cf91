#!/bin/bash
# `db-replica`: a hot standby of `db`. On an empty data directory, copy the primary with
# pg_basebackup (-R writes standby.signal and the connection to follow), then run PostgreSQL,
# which replays the primary's WAL as it streams and answers read-only queries.
set -euo pipefail
export PGPASSWORD="${REPLICATION_PASSWORD:-replicator}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup --host=db --username=replicator --pgdata="$PGDATA" --write-recovery-conf \
      --wal-method=stream --checkpoint=fast; do
    echo "waiting for the primary to accept a base backup..."
    sleep 2
    rm -rf "${PGDATA:?}"/*
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
