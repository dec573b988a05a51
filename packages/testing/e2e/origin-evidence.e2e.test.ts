// C20's second criterion and its evidence register through the running services: a labelled
// history goes in as DMS XML over ingestion's REST API (→ Kafka → scoring) while the importer keeps
// an origin evidence register (managed over scoring's REST API, audited); every U112 claim line on
// complex goods without evidence on file is flagged, priced as the preference saving; evidence added
// later supersedes those findings, and removing it flags them again; the register's changes are in
// the audit trail and the routes refuse bad input naming the field.
import { Finding } from '@customs/contracts';
import { generateHistoryDataset, toDmsXml } from '@customs/datagen';
import { waitFor } from '../src';
import { type Platform, startPlatform } from './harness';

const SEED = 20261320;
const NONE = { C02: 0, C10: 0, C11: 0, C20: 0, C23: 0, C30: 0, C34: 0, C37: 0 };
const WHOLLY_OBTAINED = /^(0\d|1[0-4]|2[56])/;

describe('C20 origin evidence register through ingestion → Kafka → scoring (real Kafka and Postgres)', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform('evidence');
  });
  afterAll(async () => {
    await p?.stop();
  });

  const json = (method: string, path: string, body?: unknown, token = p.tokens.admin) =>
    p.http('scoring', method, path, body === undefined ? undefined : JSON.stringify(body), { token, contentType: 'application/json' });
  const c20 = async (): Promise<Finding[]> => {
    const r = await p.http('scoring', 'GET', '/v1/history-findings?rule=C20&limit=1000');
    expect(r.status).toBe(200);
    return r.body.findings.map((f: unknown) => Finding.fromJSON(f));
  };

  it('flags U112 on complex goods without evidence on file, supersedes the findings when evidence is added, flags again when it is removed', async () => {
    const generated = [...generateHistoryDataset({ seed: SEED, declarations: 160, importers: 1, tenantId: p.tenant, historyRates: NONE })];
    const importer = generated[0]!.declaration.importerEori;
    // The lines the criterion must flag (by MRN and item): preference claims citing U112 on goods outside chapters 01–14, 25–26.
    const want = generated
      .flatMap((g) =>
        g.declaration.items
          .filter((it) => /^[23]\d\d$/.test(it.preference) && it.documents.some((d) => d.code === 'U112') && !WHOLLY_OBTAINED.test(it.commodityCode))
          .map((it) => `${g.declaration.mrn}#${it.itemNumber}`),
      )
      .sort();
    expect(want.length).toBeGreaterThan(5);

    // The importer keeps a register (an entry for another supplier) before the history arrives.
    const other = await json('POST', `/v1/importers/${importer}/origin-evidence`, {
      supplierName: 'Other Supplier SA',
      supplierCountry: 'FR',
      kind: 'long_term_supplier_declaration',
      validFrom: '2020-01-01',
      validTo: '2030-12-31',
      reference: 'LTSD 2020/7',
    });
    expect(other.status).toBe(201);
    expect(other.body.entry).toMatchObject({
      importerId: importer,
      supplier: 'OTHER SUPPLIER SA|FR',
      kind: 'long_term_supplier_declaration',
      commodityCodePrefixes: [],
      createdBy: `admin@${p.tenant}`,
    });
    expect(other.body.rejudged).toEqual({ raised: [], superseded: [] });

    for (let i = 0; i < generated.length; i += 8) {
      const res = await Promise.all(
        generated.slice(i, i + 8).map((g) => p.http('ingestion', 'POST', `/v1/documents?filename=${g.declaration.declarationId}.xml`, toDmsXml(g.declaration), { token: p.tokens.integrator })),
      );
      for (const r of res) expect([200, 201]).toContain(r.status);
    }
    const got = async () => (await c20()).map((f) => `${f.mrn}#${f.itemNumber}`).sort();
    let last: string[] = [];
    await waitFor(
      'a C20 finding on every U112 line of complex goods',
      async () => {
        last = await got();
        return JSON.stringify(last) === JSON.stringify(want);
      },
      { timeoutMs: 240_000, intervalMs: 2000 },
    ).catch((e) => {
      throw new Error(
        `${e.message}: ${last.length} of ${want.length} flagged; missing ${want
          .filter((w) => !last.includes(w))
          .slice(0, 5)
          .join(', ')}; extra ${last
          .filter((w) => !want.includes(w))
          .slice(0, 5)
          .join(', ')}`,
      );
    });
    const flagged = await c20();
    for (const f of flagged) {
      expect(f.explanation).toContain('no origin evidence on file');
      expect(f.evidence.find((e) => e.field === 'register.origin_evidence')?.value).toBe('none covering this line');
      expect(f.exposureDutyPence).toBeGreaterThanOrEqual(0);
    }
    const suppliers = [...new Set(flagged.map((f) => f.supplier))];

    // Evidence for each flagged supplier, but for a past period only: nothing covered, nothing superseded.
    const entry = (supplier: string, validFrom: string, validTo: string) =>
      supplier.includes('|')
        ? { supplierName: supplier.split('|')[0], supplierCountry: supplier.split('|')[1], kind: 'supplier_statement', validFrom, validTo, reference: `SOO ${supplier}` }
        : { supplierId: supplier, kind: 'supplier_statement', validFrom, validTo, reference: `SOO ${supplier}` };
    const past = await json('POST', `/v1/importers/${importer}/origin-evidence`, entry(suppliers[0]!, '2000-01-01', '2000-12-31'));
    expect(past.status).toBe(201);
    expect(past.body.rejudged.superseded).toEqual([]);
    // Widened to cover the history (PUT): every finding of that supplier is superseded at once.
    const covered = await json('PUT', `/v1/importers/${importer}/origin-evidence/${past.body.entry.evidenceId}`, entry(suppliers[0]!, '2000-01-01', '2099-12-31'));
    expect(covered.status).toBe(200);
    const ofFirst = flagged
      .filter((f) => f.supplier === suppliers[0])
      .map((f) => f.findingId)
      .sort();
    expect([...covered.body.rejudged.superseded].sort()).toEqual(ofFirst);
    expect((await c20()).filter((f) => f.supplier === suppliers[0])).toEqual([]);
    // Removed again: flagged again (new findings raised and published).
    const removed = await json('DELETE', `/v1/importers/${importer}/origin-evidence/${past.body.entry.evidenceId}`);
    expect(removed.status).toBe(200);
    expect(removed.body.rejudged.raised.map((f: any) => `${f.mrn}#${f.itemNumber}`).sort()).toEqual(
      flagged
        .filter((f) => f.supplier === suppliers[0])
        .map((f) => `${f.mrn}#${f.itemNumber}`)
        .sort(),
    );
    // The importer stops keeping a register (its last entry removed): the criterion is off, every finding of it goes.
    const gone = await json('DELETE', `/v1/importers/${importer}/origin-evidence/${other.body.entry.evidenceId}`);
    expect(gone.status).toBe(200);
    expect(await c20()).toEqual([]);
    const list = await json('GET', `/v1/importers/${importer}/origin-evidence`, undefined, p.tokens.analyst);
    expect(list).toMatchObject({ status: 200, body: { importerId: importer, entries: [] } });

    // Audited: who changed the register, what the body said.
    const audit = await p.http('scoring', 'GET', `/v1/admin/audit?action=${encodeURIComponent('POST /v1/importers/:id/origin-evidence')}`, undefined, { token: p.tokens.admin });
    expect(audit.status).toBe(200);
    expect(audit.body.entries.length).toBe(2);
    expect(audit.body.entries[0]).toMatchObject({ subject: `admin@${p.tenant}`, outcome: 201, target: `/v1/importers/${importer}/origin-evidence` });
    const puts = await p.http('scoring', 'GET', `/v1/admin/audit?action=${encodeURIComponent('PUT /v1/importers/:id/origin-evidence/:evidenceId')}`, undefined, { token: p.tokens.admin });
    expect(puts.body.entries[0].details.body).toMatchObject({ validTo: '2099-12-31', kind: 'supplier_statement' });

    // Refusals name the field; an analyst may read, not change; an unknown entry is a 404.
    const backwards = await json('POST', `/v1/importers/${importer}/origin-evidence`, {
      supplierId: 'DE123',
      kind: 'supplier_statement',
      validFrom: '2024-02-01',
      validTo: '2024-01-01',
      reference: 'x',
    });
    expect([backwards.status, backwards.body.details?.field]).toEqual([400, 'validTo']);
    const noSupplier = await json('POST', `/v1/importers/${importer}/origin-evidence`, { kind: 'supplier_statement', validFrom: '2024-01-01', validTo: '2024-12-31', reference: 'x' });
    expect([noSupplier.status, noSupplier.body.details?.field]).toEqual([400, 'supplierId']);
    const badKind = await json('POST', `/v1/importers/${importer}/origin-evidence`, { supplierId: 'DE1', kind: 'hearsay', validFrom: '2024-01-01', validTo: '2024-12-31', reference: 'x' });
    expect(badKind.status).toBe(400);
    expect(JSON.stringify(badKind.body)).toContain('kind');
    const badPrefix = await json('POST', `/v1/importers/${importer}/origin-evidence`, {
      supplierId: 'DE1',
      kind: 'supplier_statement',
      validFrom: '2024-01-01',
      validTo: '2024-12-31',
      commodityCodePrefixes: ['61x'],
      reference: 'x',
    });
    expect(badPrefix.status).toBe(400);
    expect((await json('POST', `/v1/importers/${importer}/origin-evidence`, entry('DE1', '2024-01-01', '2024-12-31'), p.tokens.analyst)).status).toBe(403);
    expect((await json('DELETE', `/v1/importers/${importer}/origin-evidence/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  }, 400_000);
});
