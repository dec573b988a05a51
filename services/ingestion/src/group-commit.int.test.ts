import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES, waitFor } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

const sample = (rel: string) => fs.readFileSync(path.join(HMRC_SAMPLES, rel), 'utf8');
const withLrn = (xml: string, lrn: string) => xml.replace(/<FunctionalReferenceID>[^<]*<\/FunctionalReferenceID>/, `<FunctionalReferenceID>${lrn}</FunctionalReferenceID>`);

// Documents sent one per request (or per multipart file) are stored by group commit
// (app/group-commit.ts): many documents per transaction. Through the real service, Postgres and
// Kafka, the outcome must be exactly that of storing them one by one.
describe('group commit of documents sent one at a time', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('groupcommit');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('concurrent requests: each document is its own batch with its own outcome, and each declaration is published once', async () => {
    const original = sample('TT_IM017a/Step1_TT_IM017a.xml');
    const other = sample('TT_IM011a/TT_IM011a.xml');
    const lrns = Array.from({ length: 30 }, (_, i) => `GC-CONCURRENT-${i}`);
    const sends = [
      ...lrns.map((lrn) => ({ name: `${lrn}.xml`, body: withLrn(original, lrn) })),
      // The same content twice at once: stored once, recognised as a duplicate the other time.
      { name: 'twin-a.xml', body: withLrn(other, 'GC-TWIN') },
      { name: 'twin-b.xml', body: withLrn(other, 'GC-TWIN') },
      // Not well-formed: rejected alone and kept for review; the others are unaffected.
      { name: 'TT_IM084a.xml', body: sample('TT_IM084a/TT_IM084a.xml') },
    ];
    const results = await Promise.all(sends.map((s) => h.http('POST', `/v1/documents?filename=${s.name}`, s.body)));

    const byName = new Map(sends.map((s, i) => [s.name, results[i]!]));
    for (const lrn of lrns) {
      const r = byName.get(`${lrn}.xml`)!;
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ status: 'accepted', declarations: [{ lrn, version: 1, duplicate: false }] });
    }
    const twins = [byName.get('twin-a.xml')!, byName.get('twin-b.xml')!].sort((a, b) => a.status - b.status);
    expect(twins.map((t) => [t.status, t.body.status])).toEqual([
      [200, 'duplicate'],
      [201, 'accepted'],
    ]);
    expect(twins[0]!.body.declarations[0].declarationId).toBe(twins[1]!.body.declarations[0].declarationId);
    const bad = byName.get('TT_IM084a.xml')!;
    expect(bad.status).toBe(422);
    expect(bad.body.issues[0]).toMatchObject({ code: 'XML_NOT_WELL_FORMED', line: 164, sourceName: 'TT_IM084a.xml' });

    // Every batch row carries its own outcome (one UPDATE set them all).
    const batchIds = results.map((r) => r.body.batchId);
    expect(new Set(batchIds).size).toBe(sends.length);
    const rows = await h.query<{ batch_id: string; status: string; issue_count: number; declarations_accepted: number; source_name: string }>(
      'select batch_id, status, issue_count, declarations_accepted, source_name from ingestion.batches where batch_id = any($1)',
      [batchIds],
    );
    const rowOf = new Map(rows.map((r) => [r.batch_id, r]));
    sends.forEach((s, i) => {
      const r = results[i]!.body;
      expect(rowOf.get(r.batchId)).toMatchObject({ status: r.status, issue_count: r.issues.length, source_name: s.name, declarations_accepted: r.status === 'accepted' ? 1 : 0 });
    });
    const stored = await h.query('select batch_id from ingestion.batch_issues where batch_id = $1', [bad.body.batchId]);
    expect(stored.length).toBe(bad.body.issues.length);

    const published = await waitFor('31 declarations on the topic', async () => {
      const mine = h.received.filter((e) => e.value.declaration!.lrn.startsWith('GC-'));
      return mine.length >= 31 ? mine : undefined;
    });
    expect(published.map((e) => e.value.declaration!.lrn).sort()).toEqual([...lrns, 'GC-TWIN'].sort());
    // Each event names the batch its declaration came with.
    for (const e of published) expect(batchIds).toContain(e.value.declaration!.batchId);

    // The transactions that stored them are counted by size on /metrics.
    const metrics = await fetch(`${h.svc.httpUrl}/metrics`).then((r) => r.text());
    const sum = Number(/customs_ingest_group_documents_sum\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    const count = Number(/customs_ingest_group_documents_count\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    expect(sum).toBe(sends.length);
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(sends.length);
  });

  it('a multipart upload keeps file order: an amendment after its declaration in the same upload is applied to it', async () => {
    const form = new FormData();
    const files = [
      ['Step1_TT_IM017a.xml', sample('TT_IM017a/Step1_TT_IM017a.xml')],
      ['TT_IM017a_Amendment.xml', sample('TT_IM017a/TT_IM017a_Amendment.xml')],
      ['Step1_TT_IM017a-again.xml', sample('TT_IM017a/Step1_TT_IM017a.xml')],
    ] as const;
    for (const [name, xml] of files) form.append('file', new Blob([xml], { type: 'application/xml' }), name);
    const up = await h.http('POST', '/v1/uploads?format=dms-xml', form);
    expect(up.status).toBe(207);
    expect(up.body.files.map((f: any) => [f.filename, f.status])).toEqual([
      ['Step1_TT_IM017a.xml', 'accepted'],
      ['TT_IM017a_Amendment.xml', 'accepted'],
      ['Step1_TT_IM017a-again.xml', 'duplicate'],
    ]);
    const id = up.body.files[0].declarations[0].declarationId;
    expect(up.body.files[1].changes).toEqual([expect.objectContaining({ kind: 'amendment', targetDeclarationId: id, applied: true, version: 2 })]);
    const history = await h.http('GET', `/v1/declarations/${id}/versions`, undefined, { token: h.tokens.analyst });
    expect(history.body.versions.map((v: any) => [v.version, v.change_kind])).toEqual([
      [1, 'original'],
      [2, 'amendment'],
    ]);
  });
});

describe('group commit bounds', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('groupsmall', { GROUP_COMMIT_MAX_DOCUMENTS: '2' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('an upload of more files than a group holds is stored in groups of at most GROUP_COMMIT_MAX_DOCUMENTS, results in file order', async () => {
    const original = sample('TT_IM017a/Step1_TT_IM017a.xml');
    const form = new FormData();
    const lrns = Array.from({ length: 9 }, (_, i) => `GC-SMALL-${i}`);
    for (const lrn of lrns) form.append('file', new Blob([withLrn(original, lrn)], { type: 'application/xml' }), `${lrn}.xml`);
    const up = await h.http('POST', '/v1/uploads?format=dms-xml', form);
    expect(up.status).toBe(207);
    expect(up.body.files.map((f: any) => [f.filename, f.status, f.declarations[0].lrn])).toEqual(lrns.map((lrn) => [`${lrn}.xml`, 'accepted', lrn]));
    const metrics = await fetch(`${h.svc.httpUrl}/metrics`).then((r) => r.text());
    const bucket = (le: string) => Number(new RegExp(`customs_ingest_group_documents_bucket\\{le="${le}"[^}]*\\} (\\d+)`).exec(metrics)?.[1]);
    const count = Number(/customs_ingest_group_documents_count\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    expect(count).toBeGreaterThanOrEqual(5); // 9 files, 2 at most per transaction
    expect(bucket('2')).toBe(count);
  });
});
