# Sourced by scripts/kafka.sh and scripts/postgres.sh: repo root, progress lines, port checks,
# polling waits and a per-resource lock so concurrent callers (make test + make up) do not race.
# shellcheck shell=bash
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# say <component> <message...>: one short progress line.
say() { local c="$1"; shift; printf '  %s: %s\n' "$c" "$*"; }
# die <component> <message...>: error line on stderr, exit 1.
die() { local c="$1"; shift; printf '%s: error: %s\n' "$c" "$*" >&2; exit 1; }

# port_open <port> [host]: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# pid_alive <pid-file>: true when the file names a live process.
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ms_now: milliseconds since the epoch (for timings printed to the user).
ms_now() { date +%s%3N; }
# secs_since <ms>: "12.3" seconds elapsed since a ms_now value.
secs_since() { local d=$(( $(ms_now) - $1 )); printf '%d.%d' $((d / 1000)) $(((d % 1000) / 100)); }

# with_lock <lock-file> <command...>: runs the command holding an exclusive flock, so two
# concurrent "start"/"ensure" calls serialise instead of starting two brokers or racing on
# CREATE ROLE. Without flock (non-Linux) the command simply runs.
with_lock() {
  local lock="$1"; shift
  mkdir -p "$(dirname "$lock")"
  if command -v flock >/dev/null; then
    (
      flock -w 300 9 || { echo "could not acquire $lock within 300 s" >&2; exit 1; }
      "$@"
    ) 9>"$lock"
  else
    "$@"
  fi
}

# as_root <command...>: runs as root (directly, or through sudo when available).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "need root for: $*" >&2; return 1
  fi
}

# ensure_chromium: Debian's Chromium, which the console's Playwright tests drive (playwright-core
# with executablePath; Playwright's own browser download cannot run here). Installed with apt-get
# only when /usr/bin/chromium is missing, so repeated runs cost nothing.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  command -v apt-get >/dev/null || die chromium "/usr/bin/chromium is missing and apt-get is not available: install chromium"
  say chromium "installing Debian's chromium (for the console's browser tests)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
    || die chromium "apt-get install chromium failed"
}

# ensure_poppler: Debian's poppler-utils (pdftotext, pdftoppm), with which the reporting tests read
# back the board report PDF they render and make up draws page 1 of the sample. apt-get runs only
# when a tool is missing, so repeated runs cost nothing.
ensure_poppler() {
  command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && return 0
  command -v apt-get >/dev/null || die poppler "pdftotext/pdftoppm are missing and apt-get is not available: install poppler-utils"
  say poppler "installing Debian's poppler-utils (for the reporting PDF checks)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null; } \
    || die poppler "apt-get install poppler-utils failed"
}

# ensure_kcat: Debian's kcat, the Kafka CLI docs/kafka.md and the README use to read topics (its
# one-liner, piped into buf convert, shows a decoded alert); the kcat test runs that one-liner.
# apt-get runs only when kcat is missing, so repeated runs cost nothing.
ensure_kcat() {
  command -v kcat >/dev/null && return 0
  command -v apt-get >/dev/null || die kcat "kcat is missing and apt-get is not available: install kcat"
  say kcat "installing Debian's kcat (to read topics; docs/kafka.md)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kcat >/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kcat >/dev/null; } \
    || die kcat "apt-get install kcat failed"
}

# ensure_rsyslog: Debian's rsyslog daemon with its openssl stream driver, and the openssl CLI, which
# the syslog CEF delivery test uses to start a private rsyslogd (plain TCP and TLS; its own config
# and ports; the system's syslog is never touched). apt-get runs only when one of them is missing,
# so repeated runs cost nothing.
ensure_rsyslog() {
  local missing=()
  [ -x /usr/sbin/rsyslogd ] || missing+=(rsyslog)
  compgen -G '/usr/lib/*/rsyslog/lmnsd_ossl.so' >/dev/null || missing+=(rsyslog-openssl)
  command -v openssl >/dev/null || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die rsyslog "missing ${missing[*]} and apt-get is not available: install them"
  say rsyslog "installing ${missing[*]} (for the syslog CEF delivery test)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die rsyslog "apt-get install ${missing[*]} failed"
}
