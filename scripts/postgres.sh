#!/usr/bin/env bash
# PostgreSQL for the platform without Docker. Uses the server at 127.0.0.1:5432 when it answers;
# otherwise installs Debian's postgresql and starts it. Then creates the database (CUSTOMS_DB,
# default "customs") with one schema and one least-privilege login role per service
# (infra/postgres/init.sql). Subcommands: ensure | urls | reset. Idempotent.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DB="${CUSTOMS_DB:-customs}"
HOST=127.0.0.1
PORT="${PGPORT:-5432}"
ADMIN_USER="${PGADMIN_USER:-postgres}"
SERVICES=(ingestion reference validation scoring alerting reporting)
say() { printf '  postgres: %s\n' "$*"; }
psql_admin() { psql -v ON_ERROR_STOP=1 -q -h "$HOST" -p "$PORT" -U "$ADMIN_USER" "$@"; }

reachable() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }

install_and_start() {
  if ! command -v pg_ctlcluster >/dev/null; then
    say "no server on $HOST:$PORT; installing Debian's postgresql"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local ver; ver="$(ls /etc/postgresql | sort -V | tail -1)"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  local hba="/etc/postgresql/$ver/main/pg_hba.conf"
  # Local development: trust on loopback so tests can create throw-away databases.
  if ! grep -q "customs-monitor" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust # customs-monitor local development' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
  fi
  for _ in $(seq 1 50); do reachable && return; sleep 0.2; done
  echo "postgres: server did not come up on $HOST:$PORT" >&2; exit 1
}

ensure() {
  command -v psql >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }
  reachable || install_and_start
  if ! psql_admin -d postgres -tAc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    psql_admin -d postgres -c "create database \"$DB\""
    say "created database $DB"
  fi
  psql_admin -d postgres -c "revoke all on database \"$DB\" from public" >/dev/null
  psql_admin -d "$DB" -f "$REPO_ROOT/infra/postgres/init.sql" >/dev/null
  for s in "${SERVICES[@]}"; do
    local var="${s^^}_DB_PASSWORD"
    psql_admin -d postgres -c "alter role $s password '${!var:-$s}'" >/dev/null
  done
  say "database $DB ready on $HOST:$PORT with schemas and roles: ${SERVICES[*]}"
}

urls() {
  for s in "${SERVICES[@]}"; do echo "$s: postgres://$s:<password>@$HOST:$PORT/$DB"; done
}

reset() {
  reachable || { echo "postgres: not reachable on $HOST:$PORT" >&2; exit 1; }
  psql_admin -d postgres -c "drop database if exists \"$DB\" with (force)"
  ensure
}

case "${1:-}" in
  ensure) ensure ;;
  urls) urls ;;
  reset) reset ;;
  *) echo "usage: scripts/postgres.sh ensure|urls|reset" >&2; exit 2 ;;
esac
