#!/bin/sh
# docker-compose Postgres init: the same database, schemas and roles as scripts/postgres.sh.
set -e
psql -v ON_ERROR_STOP=1 -U postgres -c "create database customs"
psql -v ON_ERROR_STOP=1 -U postgres -d customs -f /infra/init.sql
for s in ingestion reference validation scoring alerting reporting; do
  psql -v ON_ERROR_STOP=1 -U postgres -c "alter role $s password '$s'"
done
