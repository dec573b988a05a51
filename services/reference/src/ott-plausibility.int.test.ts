import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import type { KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { loadConfig } from './config';
import { startReferenceService } from './service';

// Issue 11, defect 12: a well-formed but implausible OTT file (0 measures for a commodity, which
// would replace its measures with nothing) is refused with a clear 422 and nothing loaded; an
// admin may load it anyway with ?force=true, and that override is audited in the log.
describe('reference: implausible OTT loads are refused unless an admin forces them (audited)', () => {
  const tokens = testTokens('tenant-ottp');
  let db: TestDatabase;
  let kafka: KafkaHandle;
  let svc: RunningService;
  const cherry = fs.readFileSync(path.resolve(__dirname, '../data/samples/ott_api_commodity_0702000007_cherry_tomatoes.json'));
  const empty = Buffer.from(JSON.stringify({ goods_nomenclature_item_id: '0702000007', import_measures: [] }));
  const post = (body: Buffer, query: string) =>
    fetch(`${svc.httpUrl}/v1/admin/ott-loads?${query}`, { method: 'POST', headers: { authorization: `Bearer ${tokens.service}`, 'content-type': 'application/json' }, body });
  const versions = async () => {
    const c = new Client({ connectionString: db.adminUrl });
    await c.connect();
    try {
      return (await c.query<{ n: number }>(`select count(*)::int as n from reference.dataset_versions where source like 'cherry-truncated%'`)).rows[0]!.n;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    const prefix = uniquePrefix('ottp');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('ottp');
    svc = await startReferenceService(
      loadConfig({
        DATABASE_URL: db.urlFor('reference'),
        KAFKA_BROKERS: testEnv().brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: tokens.spec,
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT_MS: '5000',
      }),
    );
  });
  afterAll(async () => {
    await svc?.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  it('0 measures: 422 implausible_ott_load naming why, nothing stored; ?force=true loads it and logs the override with who did it', async () => {
    expect((await post(cherry, 'source=cherry.json')).status).toBe(201);
    const refused = await post(empty, 'source=cherry-truncated.json');
    expect(refused.status).toBe(422);
    const body = await refused.json();
    expect(body).toMatchObject({ error: 'implausible_ott_load', details: { source: 'cherry-truncated' } });
    expect(body.message).toBe(
      'cherry-truncated: the file has 0 measures for 1 commodity code(s) (0702000007); every commodity has at least its third-country duty, so loading it would replace their measures with nothing; nothing was loaded (an admin may load it anyway with ?force=true, which is audited)',
    );
    expect(await versions()).toBe(0);
    expect((await post(empty, 'source=x.json&force=maybe')).status).toBe(400);

    // The override: loaded, and a warn-level audit line names the subject, the version and the reason.
    // The service's pino logger writes its JSON lines to stdout: they are watched, and the line
    // waited for, since a write may land after the response.
    const written: string[] = [];
    const realStdout = process.stdout.write.bind(process.stdout);
    const spies = [
      jest
        .spyOn(process.stdout, 'write')
        .mockImplementation(
          ((data: unknown, ...rest: unknown[]) => (
            written.push(Buffer.isBuffer(data) ? data.toString('utf8') : String(data)), realStdout(data as string, ...(rest as []))
          )) as typeof process.stdout.write,
        ),
    ];
    const auditLine = () =>
      written
        .flatMap((l) => l.split('\n'))
        .filter((l) => l.includes('ott_load_forced'))
        .map((l) => JSON.parse(l))[0];
    let forced: Response;
    let audit: Record<string, unknown>;
    try {
      forced = await post(empty, 'source=cherry-truncated.json&force=true');
      audit = await waitFor('the audit line of the forced load', async () => auditLine(), { timeoutMs: 10_000 });
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(forced.status).toBe(201);
    expect(await versions()).toBe(1);
    const out = await forced.json();
    expect(audit).toMatchObject({
      level: 40,
      subject: expect.any(String),
      tokenId: expect.any(String),
      source: 'cherry-truncated.json',
      version: out.version,
      reason: expect.stringContaining('the file has 0 measures'),
    });
  });
});
