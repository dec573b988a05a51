// The migrations Job's command (services/<name>/dist/migrate.js, deploy/kubernetes): each
// service's real script applies its migrations and the platform's to a fresh database and exits 0;
// run again (a re-run Job), it applies nothing and still exits 0.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestDatabase, REPO_ROOT, SERVICES, type TestDatabase } from '../src';

describe('migrate.js of every service (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('migrate');
  });
  afterAll(async () => db?.drop());

  const migrate = (service: string) => {
    const script = path.join(REPO_ROOT, `services/${service}/dist/migrate.js`);
    if (!fs.existsSync(script)) throw new Error(`${script} is missing: build first (make build; make test does it)`);
    const r = spawnSync(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.urlFor(service), SERVICE_TOKEN: 'x', LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 60000,
    });
    const line = r.stdout.split('\n').find((l) => l.includes('migrations applied'));
    return { code: r.status, logged: line ? (JSON.parse(line) as { applied: string[]; platformApplied: string[] }) : undefined, stderr: r.stderr };
  };

  it.each(SERVICES.map((s) => [s]))('%s: applies everything once, then nothing', (service) => {
    const first = migrate(service);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.logged!.applied.length).toBeGreaterThan(0);
    expect(first.logged!.platformApplied.length).toBeGreaterThan(0);
    const again = migrate(service);
    expect(again.code).toBe(0);
    expect(again.logged).toMatchObject({ applied: [], platformApplied: [] });
  });
});
