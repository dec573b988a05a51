import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, testEnv } from '@customs/testing';

// Issue 11, defect 12: the project's Postgres setup (scripts/postgres.sh, run by `make test` and
// `make up`) makes every service role authenticate with its password (scram-sha-256), ahead of
// the trust lines a Debian or CI install has, and leaves the superuser's access as it was.
describe('service roles need their password; the superuser keeps its access', () => {
  const roles = ['ingestion', 'reference', 'validation', 'scoring', 'alerting'];
  const { adminUrl } = testEnv();
  const host = new URL(adminUrl);
  const connect = async (user: string, password: string | undefined, database = 'postgres') => {
    const c = new Client({ host: host.hostname, port: Number(host.port || 5432), user, password, database });
    try {
      await c.connect();
      return (await c.query<{ u: string }>('select current_user as u')).rows[0]!.u;
    } catch (e) {
      return `refused ${(e as { code?: string }).code}`;
    } finally {
      await c.end().catch(() => undefined);
    }
  };

  it('a service role with a wrong or no password is refused (28P01); with its own it connects; so does the postgres superuser', async () => {
    for (const r of roles) {
      expect(await connect(r, 'not-the-password')).toBe('refused 28P01');
      expect(await connect(r, '')).toMatch(/^refused /);
    }
    expect(await connect('postgres', undefined)).toBe('postgres');
    // The test databases packages/testing makes still work: they connect as the service roles with their passwords.
    const db = await createTestDatabase('pgauth');
    try {
      for (const r of roles) {
        const c = new Client({ connectionString: db.urlFor(r as 'ingestion') });
        await c.connect();
        expect((await c.query<{ u: string }>('select current_user as u')).rows[0]!.u).toBe(r);
        await c.end();
      }
    } finally {
      await db.drop();
    }
  });

  it('pg_hba.conf: the scram-sha-256 block for the service roles comes before any trust line; a second ensure changes nothing', async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const rules = (
        await admin.query<{ line_number: number; type: string; user_name: string[]; auth_method: string }>(
          'select line_number, type, user_name, auth_method from pg_hba_file_rules order by line_number',
        )
      ).rows;
      const firstTrust = rules.findIndex((r) => r.auth_method === 'trust');
      for (const r of roles) {
        const own = rules.findIndex((x) => x.type === 'host' && x.user_name.includes(r) && x.auth_method === 'scram-sha-256');
        expect(own).toBeGreaterThanOrEqual(0);
        if (firstTrust >= 0) expect(own).toBeLessThan(firstTrust);
      }
      const hba = (await admin.query<{ f: string }>("select current_setting('hba_file') as f")).rows[0]!.f;
      const writable = (() => {
        try {
          fs.accessSync(hba, fs.constants.W_OK);
          return true;
        } catch {
          return false;
        }
      })();
      const before = writable ? fs.readFileSync(hba, 'utf8') : '';
      const out = execFileSync('bash', [path.join(__dirname, 'postgres.sh'), 'ensure'], { encoding: 'utf8', env: { ...process.env, PGPORT: host.port || '5432' } });
      expect(out).toContain('postgres: database customs ready');
      // Where this process may not touch the server's files (a container), the script says so
      // and leaves them; where it may, the second run finds its block in place and writes nothing.
      if (!writable) expect(out).toContain('is not writable here');
      else {
        expect(out).not.toContain('pg_hba.conf: scram-sha-256');
        expect(fs.readFileSync(hba, 'utf8')).toBe(before);
      }
      // Passwords are stored as SCRAM verifiers.
      const stored = (
        await admin.query<{ rolname: string; scram: boolean }>(`select rolname, rolpassword like 'SCRAM-SHA-256$%' as scram from pg_authid where rolname = any($1) order by rolname`, [roles])
      ).rows;
      expect(stored.map((s) => s.scram)).toEqual(roles.map(() => true));
    } finally {
      await admin.end();
    }
  });
});
