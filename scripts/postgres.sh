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
    # Stored as a SCRAM verifier whatever the server's default; a role init.sql does not (yet)
    # create is skipped (no row, nothing executed) rather than failing the whole setup.
    local found
    found="$(psql_admin -d postgres -tA -v role="$s" -v pw="${!var:-$s}" <<'SQL'
set password_encryption = 'scram-sha-256';
select format('alter role %I password %L', :'role', :'pw') from pg_roles where rolname = :'role' \gexec
select 'found' from pg_roles where rolname = :'role';
SQL
)"
    [ "$found" = found ] || say "role $s does not exist (not in infra/postgres/init.sql?): no password set"
  done
  require_passwords
  say "database $DB ready on $HOST:$PORT with schemas and roles: ${SERVICES[*]}"
}

# The service roles must authenticate with their password (scram-sha-256), also on a machine
# whose pg_hba.conf trusts every loopback and socket connection (Debian's packaged defaults on
# a dev box or CI runner, and this script's own install): otherwise per-service passwords mean
# nothing and any local process is any service. One marked block of lines naming only the
# service roles goes first in pg_hba.conf (the first matching line wins), so every other role —
# the postgres superuser above all — keeps exactly the access it had. Idempotent: the block is
# replaced, the file written only when it changes (a backup kept beside it), checked with
# pg_hba_file_rules before the reload (restored if the server would not load it), and reloaded,
# never restarted.
HBA_BEGIN='# customs-monitor service roles BEGIN (scripts/postgres.sh: password required, ahead of any trust line)'
HBA_END='# customs-monitor service roles END'
require_passwords() {
  local hba roles tmp
  hba="$(psql_admin -d postgres -tAc 'show hba_file')"
  if [ ! -w "$hba" ]; then
    say "pg_hba.conf ($hba) is not writable here: make sure ${SERVICES[*]} need scram-sha-256"
    return
  fi
  roles="$(IFS=,; echo "${SERVICES[*]}")"
  tmp="$(mktemp)"
  {
    printf '%s\n' "$HBA_BEGIN"
    printf 'local all %s scram-sha-256\n' "$roles"
    printf 'host all %s 127.0.0.1/32 scram-sha-256\n' "$roles"
    printf 'host all %s ::1/128 scram-sha-256\n' "$roles"
    printf '%s\n' "$HBA_END"
    sed '/^# customs-monitor service roles BEGIN/,/^# customs-monitor service roles END/d' "$hba"
  } > "$tmp"
  if cmp -s "$tmp" "$hba"; then rm -f "$tmp"; return; fi
  cp -p "$hba" "$hba.customs-monitor.bak"
  cat "$tmp" > "$hba" # in place: the file keeps its owner and mode
  rm -f "$tmp"
  if [ "$(psql_admin -d postgres -tAc 'select count(*) from pg_hba_file_rules where error is not null')" != 0 ]; then
    cat "$hba.customs-monitor.bak" > "$hba"
    echo "postgres: the new pg_hba.conf would not load; restored $hba" >&2
    exit 1
  fi
  psql_admin -d postgres -c 'select pg_reload_conf()' >/dev/null
  say "pg_hba.conf: scram-sha-256 for ${SERVICES[*]} ahead of the trust lines (backup $hba.customs-monitor.bak)"
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
