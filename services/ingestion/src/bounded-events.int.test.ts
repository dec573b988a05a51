import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES, waitFor } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';
import { MAX_ITEMS_PER_DECLARATION } from './parse/limits';

// Events are bounded by design: a CDS declaration holds at most 999 goods items, so an entry with
// more is refused at ingestion (with the row and field named), never turned into one event larger
// than the broker takes — which used to wedge the outbox for every tenant behind it. Through the
// real service, Postgres and Kafka: the refused entry is kept for review and what follows flows.
describe('declarations over the CDS item limit are refused at ingestion, and the pipeline keeps flowing', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('bounded', { MAX_DOCUMENT_BYTES: String(16 * 1024 * 1024), STREAM_CHUNK_ROWS: '3000' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const HEADER = 'MRN,Item Number,Commodity Code,CPC,Country of Origin,Goods Description,Item Price,Invoice Currency,Customs Value,Net Mass,Gross Mass,Duty Paid,VAT Paid,Acceptance Date\n';
  const row = (mrn: string, item: number) => `${mrn},${item},6109100010,4000000,CN,"Cotton T-shirts, men's, knitted",100.50,EUR,86.43,1.5,2.0,10.37,19.36,14/03/2024\n`;

  it('a streamed CDS report with one entry of 100,000 items: that entry is refused naming row and field, the next entry is stored and published', async () => {
    const huge = '26GBBOUNDED0000011';
    const normal = '26GBBOUNDED0000021';
    const parts: string[] = [HEADER];
    for (let i = 1; i <= 100_000; i++) parts.push(row(huge, i));
    for (let i = 1; i <= 3; i++) parts.push(row(normal, i));
    const csv = Buffer.from(parts.join(''));
    expect(csv.length).toBeGreaterThan(10 * 1024 * 1024);

    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=huge-entry.csv', csv, { contentType: 'text/csv' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'partially_accepted', declarationsStored: 1 });
    const issue = r.body.issues.find((i: { code: string }) => i.code === 'TOO_MANY_ITEMS');
    // Row 1 is the header, so item 1000 of the entry is on row 1001.
    expect(issue).toMatchObject({ severity: 'error', line: 1001, field: 'Item Number' });
    expect(issue.reason).toContain(`entry ${huge} rejected`);
    expect(issue.reason).toContain(`at most ${MAX_ITEMS_PER_DECLARATION}`);
    expect(issue.reason).toContain('99001 rows not read');

    const ev = await waitFor('the next entry published', async () => h.received.find((e) => e.value.declaration!.mrn === normal));
    expect(ev.value.declaration!.items).toHaveLength(3);
    expect(h.received.some((e) => e.value.declaration!.mrn === huge)).toBe(false);
    const stored = await h.query('select mrn from ingestion.declarations where mrn = any($1)', [[huge, normal]]);
    expect(stored.map((s) => s.mrn)).toEqual([normal]);
    // Kept for review: the batch with its raw bytes and the issue.
    const batch = await h.http('GET', `/v1/batches/${r.body.batchId}`, undefined, { token: h.tokens.analyst });
    expect(batch.body.issues.some((i: { code: string }) => i.code === 'TOO_MANY_ITEMS')).toBe(true);
    expect(Number((await h.query('select size_bytes from ingestion.batches where batch_id = $1', [r.body.batchId]))[0].size_bytes)).toBe(csv.length);
    expect((await h.query('select count(*)::int as n from ingestion.outbox'))[0].n).toBe(0);
  });

  it('a DMS declaration with 1,500 goods items (14 MB) is rejected with TOO_MANY_ITEMS, kept with its bytes, and the next document flows', async () => {
    const original = fs.readFileSync(path.join(HMRC_SAMPLES, 'TT_FI002a/TT_FI002a.xml'), 'utf8');
    const start = original.indexOf('<GovernmentAgencyGoodsItem>');
    const end = original.indexOf('</GovernmentAgencyGoodsItem>') + '</GovernmentAgencyGoodsItem>'.length;
    const item = original.slice(start, end);
    const items: string[] = [];
    for (let n = 1; n <= 1_500; n++) items.push(item.replace(/<SequenceNumeric>1<\/SequenceNumeric>/, `<SequenceNumeric>${n}</SequenceNumeric>`));
    // Its own LRN, so the HMRC original sent next is a different declaration.
    const xml = Buffer.from((original.slice(0, start) + items.join('\n') + original.slice(end)).replace('TT_FI02a_v1.3_2409_01', 'BOUNDED-1500'));
    const big = await h.http('POST', '/v1/documents?filename=1500-items.xml', xml);
    expect(big.status).toBe(422);
    expect(big.body.status).toBe('rejected');
    expect(big.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'error', code: 'TOO_MANY_ITEMS', field: 'items (DE 1/9 total number of items)' })]));
    const kept = await h.query('select size_bytes, length(raw_content) as raw from ingestion.batches where batch_id = $1', [big.body.batchId]);
    expect(Number(kept[0].raw)).toBe(xml.length);

    const next = await h.http('POST', '/v1/documents?filename=TT_FI002a.xml', original);
    expect(next.status).toBe(201);
    const id = next.body.declarations[0].declarationId;
    await waitFor('the next document published', async () => h.received.find((e) => e.value.declaration!.declarationId === id));
  });

  it('an event the broker can never take is dead-lettered, listed for the tenant admin, and the outbox goes on', async () => {
    // Put straight into the outbox (as a bug elsewhere might): 17 MiB, above KAFKA_MAX_MESSAGE_BYTES.
    await h.query("insert into ingestion.outbox (topic, message_key, payload, headers) values ('ingestion.declaration.received.v1', 'k', $1, $2::jsonb)", [
      Buffer.alloc(17 * 1024 * 1024, 1),
      JSON.stringify({ tenant: h.tenant, ce_id: 'oversized-event', ce_type: 'customs.v1.DeclarationReceived' }),
    ]);
    const original = fs.readFileSync(path.join(HMRC_SAMPLES, 'TT_FI002a/TT_FI002a.xml'), 'utf8').replace('TT_FI02a_v1.3_2409_01', 'AFTER-DEAD-LETTER');
    const next = await h.http('POST', '/v1/documents?filename=after.xml', original);
    expect(next.status).toBe(201);
    const id = next.body.declarations[0].declarationId;
    await waitFor('the document after the oversized event published', async () => h.received.find((e) => e.value.declaration!.declarationId === id));

    const list = await h.http('GET', '/v1/admin/outbox-dead-letters', undefined, { token: h.tokens.admin });
    expect(list.status).toBe(200);
    expect(list.body.deadLetters).toEqual([
      expect.objectContaining({
        topic: 'ingestion.declaration.received.v1',
        eventId: 'oversized-event',
        tenant: h.tenant,
        bytes: 17 * 1024 * 1024,
        error: expect.stringMatching(/^MESSAGE_TOO_LARGE: /),
      }),
    ]);
    expect(list.body.next).toBeNull();
    expect((await h.http('GET', '/v1/admin/outbox-dead-letters?cursor=WyJ4Il0', undefined, { token: h.tokens.admin })).body).toMatchObject({ details: { parameter: 'cursor' } });
    expect((await h.http('GET', '/v1/admin/outbox-dead-letters', undefined, { token: h.tokens.analyst })).status).toBe(403);
    const metrics = await (await fetch(`${h.svc.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/customs_outbox_dead_lettered_total\{topic="ingestion\.declaration\.received\.v1",service="ingestion"\} 1/);
  });
});
