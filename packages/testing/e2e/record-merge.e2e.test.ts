import { waitFor } from '../src';
import { sample, startPlatform, type Platform } from './harness';

// Issue 11, defect 11, end to end (ingestion → validation → scoring → alerting, real Kafka and
// Postgres): a declaration sent under one reference and again under a corrected one is two declarations,
// each with its findings, score and alert — its money counted twice. After a user merges them,
// the merged-away declaration has no live findings, its score counts nothing, and its alert's
// findings are withdrawn; the survivor keeps its own.
describe('merging a declaration re-sent under a corrected reference: counted once downstream', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform('recmerge');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('withdraws the merged-away declaration’s findings, score and alert', async () => {
    const xml = sample('TT_FI005b/TT_FI005b.xml').toString('utf8');
    // The sample is an original (no MRN yet): it is keyed by its LRN, so the re-send carries the
    // corrected reference under which it became a second declaration.
    const corrected = xml.replaceAll('TT_FI005b_2111.2', 'TT_FI005b_2111.3');
    const ids: string[] = [];
    for (const [name, doc] of [
      ['sent.xml', xml],
      ['corrected.xml', corrected],
    ]) {
      const up = await p.http('ingestion', 'POST', `/v1/documents?filename=${name}`, doc, { token: p.tokens.integrator });
      expect(up.status).toBe(201);
      ids.push(up.body.declarations[0].declarationId);
    }
    const [survivor, duplicate] = ids as [string, string];
    expect(survivor).not.toBe(duplicate);
    const findingsOf = async (id: string) => (await p.http('validation', 'GET', `/v1/declarations/${id}/findings`)).body?.findings ?? [];
    for (const id of ids) await waitFor(`C08 on ${id}`, async () => (await findingsOf(id)).some((f: any) => f.ruleId === 'C08'));
    const alertOf = async (id: string) => ((await p.http('alerting', 'GET', '/v1/alerts?limit=1000')).body?.alerts ?? []).find((a: any) => a.declarationIds?.includes(id) || a.declarationId === id);
    for (const id of ids) await waitFor(`alert of ${id}`, () => alertOf(id));

    const merged = await p.http('ingestion', 'POST', `/v1/declarations/${survivor}/merge`, JSON.stringify({ duplicate, reason: 'MRN corrected by the broker' }), { contentType: 'application/json' });
    expect(merged.status).toBe(200);

    // Validation: the duplicate's findings are superseded by its invalidated, item-less version.
    await waitFor('duplicate findings withdrawn', async () => (await findingsOf(duplicate)).length === 0, { timeoutMs: 60000 });
    const survivorFindings = await waitFor('survivor checked at v2', async () => {
      const f = await findingsOf(survivor);
      return f.length > 0 && f.every((x: any) => x.declarationVersion === 2) ? f : undefined;
    });
    expect(survivorFindings.map((f: any) => f.ruleId)).toContain('C08');
    // Scoring: the invalidated duplicate counts nothing.
    const dupScore = await waitFor('duplicate re-scored', async () => {
      const r = await p.http('scoring', 'GET', `/v1/scores/declaration/${duplicate}`);
      return r.status === 200 && r.body.findingCount === 0 ? r.body : undefined;
    });
    expect(dupScore).toMatchObject({ findingCount: 0, exposurePence: 0, reclaimPence: 0 });
    // Alerting: the duplicate's alert has no live findings left; the survivor's stays.
    const dupAlert = await waitFor('duplicate alert withdrawn', async () => {
      const a = await alertOf(duplicate);
      return a && (a.findingIds.length === 0 || ['ALERT_STATUS_RESOLVED', 'ALERT_STATUS_EXPIRED', 'ALERT_STATUS_ARCHIVED'].includes(a.status)) ? a : undefined;
    });
    expect(dupAlert.exposurePence + dupAlert.reclaimPence).toBe(0);
    const survivorAlert = await alertOf(survivor);
    expect(survivorAlert.findingIds.length).toBeGreaterThan(0);
  });
});
