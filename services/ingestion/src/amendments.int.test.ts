import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES, waitFor } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

const sample = (rel: string) => fs.readFileSync(path.join(HMRC_SAMPLES, rel));

// Real service, Postgres and Kafka: a DMS amendment becomes the next version of its declaration,
// published once through the outbox; an invalidation gives an invalidated version; history stays.
describe('amendments and invalidations as versions (REST → Postgres → Kafka)', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('amend');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('HMRC TT_IM017a: original then COR → version 2 (item 2 deleted, MRN linked), published once; re-sending the COR changes nothing', async () => {
    const v1 = await h.http('POST', '/v1/documents?filename=Step1_TT_IM017a.xml', sample('TT_IM017a/Step1_TT_IM017a.xml'));
    expect(v1.status).toBe(201);
    const id = v1.body.declarations[0].declarationId;
    expect(v1.body.declarations[0]).toMatchObject({ version: 1, mrn: '', lrn: 'TT_IM17a_v1.4_1907_01' });

    const cor = await h.http('POST', '/v1/documents?filename=TT_IM017a_Amendment.xml', sample('TT_IM017a/TT_IM017a_Amendment.xml'));
    expect(cor.status).toBe(201);
    expect(cor.body).toMatchObject({
      status: 'accepted',
      declarations: [],
      changes: [{ kind: 'amendment', mrn: '21GB7X8M7S6NG8N6R0', targetDeclarationId: id, applied: true, version: 2, duplicate: false }],
    });

    const latest = await h.http('GET', `/v1/declarations/${id}`, undefined, { token: h.tokens.analyst });
    expect(latest.body).toMatchObject({ version: 2, mrn: '21GB7X8M7S6NG8N6R0', changeKind: 'amendment', invoiceAmount: { value: '1100', currency: 'GBP' }, totalPackages: '65' });
    expect(latest.body.items.map((i: any) => i.itemNumber)).toEqual([1, 3]);
    const old = await h.http('GET', `/v1/declarations/${id}?version=1`, undefined, { token: h.tokens.analyst });
    expect(old.body.items.map((i: any) => i.itemNumber)).toEqual([1, 2, 3]);
    expect(old.body.totalPackages).toBe('80');

    const events = await waitFor('both versions on the topic', async () => {
      const mine = h.received.filter((e) => e.value.declaration!.declarationId === id);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(events.map((e) => [e.value.declaration!.version, e.value.supersedesVersion])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(events[1]!.value.declaration!.items).toHaveLength(2);
    expect(events[1]!.headers.ce_id).toBe(`declaration/${h.tenant}/${id}/2`);

    // The same amendment file again: recognised by its content hash, not applied twice.
    const again = await h.http('POST', '/v1/documents?filename=TT_IM017a_Amendment.xml', sample('TT_IM017a/TT_IM017a_Amendment.xml'));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', changes: [{ applied: true, version: 2, duplicate: true }] });

    // Then CDS's own report of the same entry (by MRN) joins the same declaration as version 3.
    const csv = 'MRN,Item Number,Commodity Code,CPC,Country of Origin,Acceptance Date\n21GB7X8M7S6NG8N6R0,1,8510900000,4000000,CN,19/07/2021\n21GB7X8M7S6NG8N6R0,3,8510200000,4000000,CN,19/07/2021\n';
    const report = await h.http('POST', '/v1/documents?format=cds-report&filename=items.csv', csv, { contentType: 'text/csv' });
    expect(report.body.declarations[0]).toMatchObject({ declarationId: id, version: 3, duplicate: false });

    const history = await h.http('GET', `/v1/declarations/${id}/versions`, undefined, { token: h.tokens.analyst });
    expect(history.body.versions.map((v: any) => [v.version, v.change_kind, v.mrn])).toEqual([
      [1, 'original', ''],
      [2, 'amendment', '21GB7X8M7S6NG8N6R0'],
      [3, 'resubmission', '21GB7X8M7S6NG8N6R0'],
    ]);
    expect(history.body.changes).toEqual([expect.objectContaining({ kind: 'amendment', applied_version: 2 })]);
    await waitFor('version 3 published', async () => h.received.some((e) => e.value.declaration!.declarationId === id && e.value.declaration!.version === 3));
    expect(h.received.filter((e) => e.value.declaration!.declarationId === id).map((e) => e.value.declaration!.version)).toEqual([1, 2, 3]);
  });

  it('HMRC TT_IM011a: original, COR, then INV cancellation → versions 1, 2, 3 (invalidated)', async () => {
    const v1 = await h.http('POST', '/v1/documents?filename=TT_IM011a.xml', sample('TT_IM011a/TT_IM011a.xml'));
    const id = v1.body.declarations[0].declarationId;
    const cor = await h.http('POST', '/v1/documents?filename=TT_IM011a_Amendment.xml', sample('TT_IM011a/TT_IM011a_Amendment.xml'));
    expect(cor.body.changes[0]).toMatchObject({ applied: true, version: 2, targetDeclarationId: id });
    const inv = await h.http('POST', '/v1/documents?filename=TT_IM011a_Cancellation.xml', sample('TT_IM011a/TT_IM011a_Cancellation.xml'));
    expect(inv.body.changes[0]).toMatchObject({ kind: 'invalidation', applied: true, version: 3, targetDeclarationId: id });
    const latest = await h.http('GET', `/v1/declarations/${id}`, undefined, { token: h.tokens.analyst });
    expect(latest.body).toMatchObject({ version: 3, status: 'invalidated', changeKind: 'invalidation' });
    const ev = await waitFor('invalidated version published', async () => h.received.find((e) => e.value.declaration!.declarationId === id && e.value.declaration!.version === 3));
    expect(ev.value).toMatchObject({ supersedesVersion: 2, declaration: { status: 'invalidated' } });

    // An amendment after the invalidation is refused (CDS accepts none), kept, and changes nothing.
    // (The added element goes where HMRC's schema puts it, so the only issue is the refusal.)
    const late = Buffer.from(
      sample('TT_IM011a/TT_IM011a_Amendment.xml').toString('utf8').replace('<TypeCode>COR</TypeCode>', '<TypeCode>COR</TypeCode><TotalPackageQuantity>7</TotalPackageQuantity>'),
    );
    const refused = await h.http('POST', '/v1/documents?filename=late-amendment.xml', late);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ status: 'rejected', changes: [{ applied: false, refused: true, targetDeclarationId: id }] });
    expect(refused.body.issues).toEqual([expect.objectContaining({ severity: 'error', code: 'TARGET_INVALIDATED' })]);
    expect((await h.http('GET', `/v1/declarations/${id}`, undefined, { token: h.tokens.analyst })).body.version).toBe(3);
  });

  it('records an amendment whose declaration is unknown as not applied, with a warning naming why', async () => {
    const r = await h.http('POST', '/v1/documents?filename=TT_IM002b_Amendment.xml', sample('TT_IM002b/TT_IM002b_Amendment.xml'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'accepted', declarations: [], changes: [{ kind: 'amendment', mrn: '20GB32VVZI0YMFGVR0', applied: false, version: 0 }] });
    expect(r.body.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'TARGET_NOT_FOUND', field: 'mrn (Declaration/ID)' })]);
    const again = await h.http('POST', '/v1/documents?filename=TT_IM002b_Amendment.xml', sample('TT_IM002b/TT_IM002b_Amendment.xml'));
    expect(again.body).toMatchObject({ status: 'duplicate', changes: [{ applied: false, duplicate: true }] });
    const rows = await h.query(`select count(*)::int as n from ingestion.declaration_changes where mrn = '20GB32VVZI0YMFGVR0'`);
    expect(rows[0].n).toBe(1);

    // HMRC's report of that entry arrives later: version 1 from the report, then the pending
    // amendment (item 1 price → 999 GBP) applied as version 2 in the same batch.
    const csv = 'MRN,Item Number,Commodity Code,CPC,Country of Origin,Item Price,Invoice Currency,Acceptance Date\n20GB32VVZI0YMFGVR0,1,0702000007,4000000,MA,100.00,GBP,18/03/2020\n';
    const report = await h.http('POST', '/v1/documents?format=cds-report&filename=later.csv', csv, { contentType: 'text/csv' });
    expect(report.status).toBe(201);
    const id = report.body.declarations[0].declarationId;
    expect(report.body.declarations[0]).toMatchObject({ version: 1, mrn: '20GB32VVZI0YMFGVR0' });
    const latest = await h.http('GET', `/v1/declarations/${id}`, undefined, { token: h.tokens.analyst });
    expect(latest.body).toMatchObject({ version: 2, changeKind: 'amendment', lrn: '20GB32VVZI0YMFGVR0' });
    expect(latest.body.items[0]).toMatchObject({ commodityCode: '0702000007', itemPrice: { value: '999', currency: 'GBP' } });
    const change = await h.query(`select target_declaration_id, applied_version from ingestion.declaration_changes where mrn = '20GB32VVZI0YMFGVR0'`);
    expect(change).toEqual([{ target_declaration_id: id, applied_version: 2 }]);
    await waitFor('both versions published', async () => h.received.filter((e) => e.value.declaration!.declarationId === id).length === 2);
  });
});
