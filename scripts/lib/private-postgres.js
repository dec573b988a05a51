// A private PostgreSQL cluster for scripts/chaos.js: the machine's PostgreSQL binaries (initdb,
// pg_ctl), its own data directory and port, so it can be restarted — crashed, even — without
// touching the shared server on 5432 that other sessions' tests use. Its database, service roles
// and scram-sha-256 rules come from scripts/postgres.sh itself (PGPORT pointed at the cluster), so
// the platform meets the same setup as on the shared server. Run as root, the cluster belongs to
// the `postgres` OS user (initdb refuses root).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '../..');

/** The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin), or PG_BIN. */
function serverBin(installed = false) {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin/pg_ctl'))) : [];
  if (!majors.length) {
    // A runner whose Postgres is elsewhere (a service container) has no server binaries: as
    // scripts/postgres.sh does for the server itself, install Debian's package when root.
    if (!installed && process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
      execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null'], { stdio: 'inherit' });
      return serverBin(true);
    }
    throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install postgresql, or set PG_BIN)');
  }
  majors.sort((a, b) => Number(a) - Number(b));
  return path.join(base, majors.at(-1), 'bin');
}

/**
 * `dir` (created; its parent must exist), `port`; `say` logs. Returns { adminUrl, start(),
 * restart(mode='immediate'), stop() }: all synchronous, stop() safe to call at any time.
 */
function privatePostgres({ dir, port, say = () => undefined }) {
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
  const run = (cmd, args, opts = {}) => {
    const bin = path.join(serverBin(), cmd);
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/', ...opts });
  };
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  const fail = (what, e) => {
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new Error(`private postgres: ${what} failed: ${(e.stderr ?? e.message).toString().trim()}\n${tail}`);
  };
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let started = false;
  return {
    adminUrl,
    port,
    start() {
      fs.mkdirSync(dir, { recursive: true });
      if (owner) {
        // The postgres user must reach the directory: every ancestor is traversable here, the
        // run folder itself is made so.
        fs.chmodSync(path.dirname(dir), 0o755);
        fs.chownSync(dir, owner.uid, owner.gid);
      }
      try {
        run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
      } catch (e) {
        fail('initdb', e);
      }
      // Enough connections for every service's pool, its LISTEN connections and restarts'
      // overlap; fsync off because a process crash (immediate mode) keeps the kernel's page cache.
      fs.appendFileSync(
        path.join(data, 'postgresql.conf'),
        `\n# scripts/lib/private-postgres.js\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nmax_connections = 300\nfsync = off\n`,
      );
      say(`private PostgreSQL on 127.0.0.1:${port} (${path.relative(root, dir)})`);
      try {
        run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
        started = true;
      } catch (e) {
        fail('start', e);
      }
      // The project's own setup: database, roles, schemas, scram-sha-256 for the service roles.
      execFileSync('bash', [path.join(root, 'scripts/postgres.sh'), 'ensure'], { env: { ...process.env, PGPORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
    },
    /** Restarts the server: 'immediate' is a crash (no checkpoint, recovery from the WAL). */
    restart(mode = 'immediate') {
      try {
        run('pg_ctl', ['-D', data, '-l', log, '-m', mode, '-w', '-t', '120', 'restart']);
      } catch (e) {
        fail('restart', e);
      }
    },
    stop() {
      if (!started || !fs.existsSync(path.join(data, 'postmaster.pid'))) return;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
      } catch {
        // already gone
      }
      started = false;
    },
  };
}

module.exports = { privatePostgres, serverBin };
