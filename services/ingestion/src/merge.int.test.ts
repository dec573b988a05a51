import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, waitFor } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// Issue 11, defect 11 (integrity of the record), through the real service, Postgres and Kafka: a
// declaration first reported under a mistyped MRN and then under the corrected one is two
// declarations, and its money would count twice. A user merges them: one survives with the
// correction's content, the other's last version is an invalidation naming it (published, so
// downstream drops its findings), the merge is a batch and an audit entry, and later re-sends
// under the corrected MRN join the survivor.
const TYPO = '23GBMERGE000000111';
const CORRECT = '23GBMERGE000000222';
const report = (mrn: string, description = "Men's T-shirts, cotton", netMass = '120') => {
  const f = (name: string) =>
    fs
      .readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports', name), 'utf8')
      .split('\n')
      .filter((l, i) => i === 0 || l.includes('000123A'))
      .join('\n')
      .replace(/^EPU,Entry Number,/m, 'MRN,')
      .replace(/^(Importer EORI),EPU,Entry Number,/m, 'MRN,$1,')
      .replace(/^120,000123A,/gm, `${mrn},`)
      .replace(/^(GB\d+),120,000123A,/gm, `${mrn},$1,`)
      .replace('"Men\'s T-shirts, cotton"', `"${description}"`)
      .replace(',120,130,', `,${netMass},130,`);
  const form = new FormData();
  form.append('format', 'cds-report');
  for (const n of ['import-header.csv', 'import-item.csv', 'import-taxline.csv']) form.append('files', new Blob([`${f(n)}\n`]), n);
  return form;
};

describe('merging two declarations that are one (a corrected MRN)', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('merge');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps one declaration with the correction, invalidates the other, records and publishes both, and routes re-sends to the survivor', async () => {
    const first = await h.http('POST', '/v1/uploads', report(TYPO));
    const second = await h.http('POST', '/v1/uploads', report(CORRECT));
    const typo = first.body.files[0].declarations[0].declarationId as string;
    const correct = second.body.files[0].declarations[0].declarationId as string;
    expect(typo).not.toBe(correct); // two declarations: what the merge is for

    // Refusals name why, and change nothing.
    expect((await h.http('POST', `/v1/declarations/${typo}/merge`, JSON.stringify({ duplicate: correct, reason: 'MRN typo' }), { contentType: 'application/json' })).status).toBe(403); // an integrator
    const asAnalyst = (id: string, body: unknown) => h.http('POST', `/v1/declarations/${id}/merge`, JSON.stringify(body), { contentType: 'application/json', token: h.tokens.analyst });
    expect(await asAnalyst(typo, { duplicate: typo, reason: 'x' })).toMatchObject({ status: 409, body: { error: 'same_declaration' } });
    expect(await asAnalyst(typo, { duplicate: 'no-such-declaration', reason: 'x' })).toMatchObject({ status: 404, body: { message: 'no declaration no-such-declaration' } });
    expect((await asAnalyst(typo, { duplicate: correct })).status).toBe(400);

    const merged = await asAnalyst(typo, { duplicate: correct, reason: 'first sent with a mistyped MRN; broker confirmed the correct one' });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ ok: true, survivor: { declarationId: typo, version: 2, mrn: CORRECT }, mergedAway: { declarationId: correct, version: 2 } });

    const survivor = (await h.http('GET', `/v1/declarations/${typo}`)).body;
    expect(survivor).toMatchObject({ version: 2, mrn: CORRECT, changeKind: 'merge', importerEori: 'GB553202734852', acceptanceDate: '2023-03-14' });
    expect(survivor.items).toHaveLength(2);
    expect(survivor.appliedChanges[0].reason).toMatch(
      new RegExp(`^merged ${correct} \\(v1, MRN ${CORRECT}\\) into ${typo} \\(v1, MRN ${TYPO}\\).* — analyst@tenant-merge: first sent with a mistyped MRN`),
    );
    const away = (await h.http('GET', `/v1/declarations/${correct}`)).body;
    expect(away).toMatchObject({ version: 2, status: 'invalidated', changeKind: 'merged' });
    expect(away.items ?? []).toEqual([]);
    expect(away.appliedChanges[0].reason).toBe(`merged into ${typo} — analyst@tenant-merge: first sent with a mistyped MRN; broker confirmed the correct one`);
    // The history keeps both versions of each.
    expect((await h.http('GET', `/v1/declarations/${correct}/versions`)).body.versions).toHaveLength(2);

    // Published like any version: downstream sees the survivor's correction and the invalidation.
    await waitFor('both merge versions published', async () => {
      const v = h.received.filter((e) => e.value.declaration!.batchId === merged.body.batchId);
      return v.length === 2 ? v : undefined;
    });
    const events = h.received.filter((e) => e.value.declaration!.batchId === merged.body.batchId).map((e) => e.value);
    expect(events.map((e) => [e.declaration!.declarationId, e.declaration!.version, e.declaration!.status, e.declaration!.items.length, e.supersedesVersion]).sort()).toEqual(
      [
        [typo, 2, '', 2, 1],
        [correct, 2, 'invalidated', 0, 1],
      ].sort(),
    );
    // A batch of its own, and an audit entry saying who merged what, from where.
    const batch = (await h.http('GET', `/v1/batches/${merged.body.batchId}`)).body;
    expect(batch.batch).toMatchObject({ format: 'merge', status: 'accepted', source_name: `merge:${correct}->${typo}` });
    expect(batch.declarations.map((d: any) => [d.declaration_id, d.version, d.change_kind]).sort()).toEqual(
      [
        [correct, 2, 'merged'],
        [typo, 2, 'merge'],
      ].sort(),
    );
    const audit = (await h.http('GET', `/v1/admin/audit?action=${encodeURIComponent('POST /v1/declarations/:id/merge')}`, undefined, { token: h.tokens.admin })).body.entries;
    expect(audit[0]).toMatchObject({
      subject: `analyst@${h.tenant}`,
      role: 'analyst',
      outcome: 200,
      target: `/v1/declarations/${typo}/merge`,
      details: { params: { id: typo }, body: { duplicate: correct, reason: 'first sent with a mistyped MRN; broker confirmed the correct one' } },
    });
    expect(audit.map((e: any) => e.outcome)).toEqual([200, 400, 404, 409, 403]);

    // Merged once: merging again is refused.
    expect(await asAnalyst(typo, { duplicate: correct, reason: 'again' })).toMatchObject({ status: 409, body: { error: 'already_invalidated' } });
    // A later report under the corrected MRN, with a change, is the survivor's next version.
    const resend = await h.http('POST', '/v1/uploads', report(CORRECT, "Men's T-shirts, organic cotton"));
    expect(resend.body.files[0].declarations[0]).toMatchObject({ declarationId: typo, version: 3, duplicate: false });
  });

  it('takes an entry re-sent under an MRN one character off, with the same LRN, importer, date and goods, as the same declaration', async () => {
    const sent = await h.http('POST', '/v1/uploads', report('23GBFIXED000000331'));
    const id = sent.body.files[0].declarations[0].declarationId as string;
    const fixed = await h.http('POST', '/v1/uploads', report('23GBFIXED000000381'));
    expect(fixed.body.files[0].declarations[0]).toMatchObject({ declarationId: id, version: 2, duplicate: false });
    expect(fixed.body.files[0].issues).toEqual([
      expect.objectContaining({ severity: 'warning', field: 'MRN', code: 'MRN_CORRECTED', reason: expect.stringContaining(`taken as that declaration with its MRN corrected`) }),
    ]);
    expect((await h.http('GET', `/v1/declarations/${id}`)).body).toMatchObject({ version: 2, mrn: '23GBFIXED000000381' });
    // Same LRN and MRN one character off, but other goods (a second shipment of the order): its own declaration.
    const other = await h.http('POST', '/v1/uploads', report('23GBFIXED000000391', "Men's T-shirts, cotton", '60'));
    expect(other.body.files[0].declarations[0]).toMatchObject({ version: 1, duplicate: false });
    expect(other.body.files[0].declarations[0].declarationId).not.toBe(id);
    expect(other.body.files[0].issues).toEqual([]);
  });
});
