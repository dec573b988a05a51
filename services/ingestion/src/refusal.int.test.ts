import { createDb, sql, withTenant, type ServiceDb } from '@customs/db';
import type { IngestionDb } from './db/migrations';
import { isUnstorableContent, recordRefusal, unstorableIssue } from './app/refusal';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// The last line of "every refused document is kept" (app/refusal.ts), against the real schema: the
// error Postgres gives a NUL is recognised as the content's fault, and recording the refusal of a
// document whose every text field holds one cannot fail.
describe('recording a refused document cannot fail on what was sent', () => {
  let h: IngestionHarness;
  let db: ServiceDb<IngestionDb>;
  beforeAll(async () => {
    h = await startIngestion('refusal');
    db = createDb<IngestionDb>({ url: h.db.urlFor('ingestion'), schema: 'ingestion', applicationName: 'refusal-test' });
  });
  afterAll(async () => {
    await db?.close();
    await h?.stop();
  });

  it('a NUL in text is SQLSTATE 22021, read as unstorable content; a lost connection would not be', async () => {
    const e = await sql`select ${'a\u0000b'}::text`.execute(db.db).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e as { code?: string }).code).toBe('22021');
    expect(isUnstorableContent(e)).toBe(true);
    expect(isUnstorableContent(Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isUnstorableContent(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(false);
  });

  it('stores the batch, its raw bytes and its issues with every control character escaped', async () => {
    const content = Buffer.from('raw \u0000 bytes \u0001 kept');
    const dbError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const r = await withTenant(db.db, h.tenant, (trx) =>
      recordRefusal(trx, { tenantId: h.tenant, channel: 'rest\u0000', format: 'dms\u0000', sourceName: 'a\u0000b.xml', content, receivedAt: new Date() }, [
        { severity: 'error', sourceName: 'a\u0000b.xml', line: 1, location: 'row\u0000 1', field: 'f\u0000', code: 'C\u0000', reason: 'quoted \u0000 input' },
        unstorableIssue('a\u0000b.xml', dbError),
      ]),
    );
    expect(r.status).toBe('rejected');
    const batch = await h.http('GET', `/v1/batches/${r.batchId}`, undefined, { token: h.tokens.analyst });
    expect(batch.body.batch).toMatchObject({ status: 'rejected', format: 'dms\\u0000', source_name: 'a\\u0000b.xml', size_bytes: content.length, issue_count: 2 });
    expect(batch.body.issues).toEqual([
      expect.objectContaining({ source_name: 'a\\u0000b.xml', location: 'row\\u0000 1', field: 'f\\u0000', code: 'C\\u0000', reason: 'quoted \\u0000 input' }),
      expect.objectContaining({ code: 'UNSTORABLE_VALUE', field: '(content)', reason: expect.stringContaining('SQLSTATE 22021') }),
    ]);
    const raw = await fetch(`${h.svc.httpUrl}/v1/batches/${r.batchId}/content`, { headers: { authorization: `Bearer ${h.tokens.analyst}` } });
    expect(Buffer.from(await raw.arrayBuffer()).equals(content)).toBe(true);
  });
});
