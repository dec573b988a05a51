import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Submission } from '@customs/contracts';
import type { Producer } from 'kafkajs';
import { waitFor } from '@customs/testing';
import { signSubmission } from './app/submission-signature';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// Issue 11, defect 10, on the real service, Kafka and Postgres: a Kafka submission is a tenant's
// batch only when signed with a key issued to the tenant its header names; anything else is
// refused, kept whole and listed for the tenant's admins (GET /v1/admin/refused-submissions), never
// silently dropped; and deduplication by CloudEvents id is per tenant.
describe('signed Kafka submissions (real Kafka and Postgres)', () => {
  let h: IngestionHarness;
  let producer: Producer;
  const tenantB = 'tenant-subauth-b';
  const keyB = { keyId: 'key-b-1', secret: randomBytes(24).toString('hex') };
  const adminB = `admin-b-${randomBytes(12).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'subauth-'));

  beforeAll(async () => {
    // Tenant B's key and admin token come from files, as make up gives them.
    fs.writeFileSync(path.join(dir, 'keys'), `# tenant B\n${keyB.keyId}=${tenantB}:${keyB.secret}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'tokens'), `${adminB}=${tenantB}:admin:admin@b\n`, { mode: 0o600 });
    h = await startIngestion('subauth', { SUBMISSION_KEYS_FILE: path.join(dir, 'keys'), API_TOKENS_FILE: path.join(dir, 'tokens') });
    producer = h.kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await h?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const csv = (mrn: string) =>
    Buffer.from(`MRN,Item Number,Commodity Code,CPC,Country of Origin,Acceptance Date,All Item Document Codes,All Item Document References\n${mrn},1,6109100010,4000000,TR,2024-04-02,N935,INV-K1\n`);
  const submission = (tenant: string, filename: string, mrn: string) =>
    Buffer.from(Submission.encode(Submission.fromPartial({ tenantId: tenant, format: 'cds-item-csv', filename, content: csv(mrn) })).finish());
  const send = (key: string, value: Buffer, headers: Record<string, string>) => producer.send({ topic: h.kafka.physical('ingestion.submission.v1'), messages: [{ key, value, headers }] });

  it('takes signed submissions per tenant, refuses and keeps every other, and lists them for review', async () => {
    const a1 = submission(h.tenant, 'a1.csv', '24GBSIGNED00000011');
    const b1 = submission(tenantB, 'b1.csv', '24GBSIGNED00000022');
    // The same CloudEvents id from two tenants: two batches (dedup is per tenant).
    await send('a1', a1, h.submissionHeaders('shared-event-id', a1));
    await send('b1', b1, { tenant: tenantB, ce_id: 'shared-event-id', ...signSubmission(keyB, tenantB, 'shared-event-id', b1) });
    // A redelivery of A's: nothing more.
    await send('a1', a1, h.submissionHeaders('shared-event-id', a1));

    const unsigned = submission(h.tenant, 'unsigned.csv', '24GBSIGNED00000033');
    await send('u', unsigned, { tenant: h.tenant, ce_id: 'u-1' });
    const tampered = submission(h.tenant, 'tampered.csv', '24GBSIGNED00000044');
    await send('t', tampered, { ...h.submissionHeaders('t-1', a1) }); // a signature of other bytes
    const foreign = submission(tenantB, 'foreign.csv', '24GBSIGNED00000055');
    await send('f', foreign, { ...h.submissionHeaders('f-1', foreign, tenantB) }); // A's key, B's header
    const unknownKey = submission(h.tenant, 'unknown-key.csv', '24GBSIGNED00000066');
    await send('k', unknownKey, { tenant: h.tenant, ce_id: 'k-1', ...signSubmission({ keyId: 'key-nobody', secret: 'x'.repeat(40) }, h.tenant, 'k-1', unknownKey) });
    const noId = submission(h.tenant, 'no-id.csv', '24GBSIGNED00000077');
    const noIdHeaders = h.submissionHeaders('', noId);
    delete noIdHeaders.ce_id;
    await send('n', noId, noIdHeaders);
    // A clean one after them all: the consumer is still consuming.
    const a2 = submission(h.tenant, 'a2.csv', '24GBSIGNED00000088');
    await send('a2', a2, h.submissionHeaders('a2-event', a2));

    const batchesA = await waitFor(
      'tenant A batches',
      async () => {
        const rows = (await h.http('GET', '/v1/batches', undefined, { token: h.tokens.admin })).body.batches as { source_name: string; status: string }[];
        return rows.some((b) => b.source_name.endsWith(':a2.csv')) ? rows : undefined;
      },
      { timeoutMs: 90000 },
    );
    expect(batchesA.map((b) => [b.source_name.replace(/^.*:/, ''), b.status]).sort()).toEqual([
      ['a1.csv', 'accepted'],
      ['a2.csv', 'accepted'],
    ]);
    const batchesB = (await h.http('GET', '/v1/batches', undefined, { token: adminB })).body.batches as { source_name: string; status: string }[];
    expect(batchesB.map((b) => [b.source_name.replace(/^.*:/, ''), b.status])).toEqual([['b1.csv', 'accepted']]);

    // The refused: kept whole under the tenant their header named, with why.
    const refusedA = await waitFor('refused submissions of A', async () => {
      const r = await h.http('GET', '/v1/admin/refused-submissions', undefined, { token: h.tokens.admin });
      return r.body?.refusedSubmissions?.length === 4 ? r.body.refusedSubmissions : undefined;
    });
    // Newest first in cursor pages along `next`: a page of one walks the same four, once each.
    const walked: string[] = [];
    for (let next: string | null = '/v1/admin/refused-submissions?limit=1'; next; ) {
      const r = await h.http('GET', next, undefined, { token: h.tokens.admin });
      expect(r.status).toBe(200);
      walked.push(...r.body.refusedSubmissions.map((x: { id: number }) => x.id));
      next = r.body.next;
      expect(walked.length).toBeLessThanOrEqual(4);
    }
    expect(walked).toEqual(refusedA.map((r: { id: number }) => r.id));
    expect(walked).toEqual([...walked].sort((a, b) => Number(b) - Number(a)));
    expect((await h.http('GET', '/v1/admin/refused-submissions?cursor=not-a-cursor', undefined, { token: h.tokens.admin })).status).toBe(400);
    const byEvent = Object.fromEntries(refusedA.map((r: any) => [r.code, r]));
    expect(Object.keys(byEvent).sort()).toEqual(['BAD_SIGNATURE', 'NO_EVENT_ID', 'UNKNOWN_SIGNING_KEY', 'UNSIGNED']);
    expect(byEvent.UNSIGNED).toMatchObject({
      eventId: 'u-1',
      keyId: '',
      bytes: unsigned.length,
      reason: expect.stringContaining('no "signature-key" and "signature" headers'),
      headers: { tenant: h.tenant, ce_id: 'u-1' },
    });
    expect(byEvent.BAD_SIGNATURE).toMatchObject({ eventId: 't-1', keyId: h.submissionKey.keyId, reason: expect.stringContaining('does not match the submission') });
    expect(byEvent.BAD_SIGNATURE.headers.signature).toBeUndefined();
    expect(byEvent.UNKNOWN_SIGNING_KEY).toMatchObject({ keyId: 'key-nobody', reason: 'signing key "key-nobody" is not one this service knows' });
    expect(byEvent.NO_EVENT_ID.reason).toContain('"ce_id" header');
    const content = await fetch(`${h.svc.httpUrl}/v1/admin/refused-submissions/${byEvent.UNSIGNED.id}/content`, { headers: { authorization: `Bearer ${h.tokens.admin}` } });
    expect(Buffer.from(await content.arrayBuffer()).equals(unsigned)).toBe(true);
    const refusedB = (await h.http('GET', '/v1/admin/refused-submissions', undefined, { token: adminB })).body.refusedSubmissions;
    expect(refusedB).toEqual([
      expect.objectContaining({
        code: 'SIGNING_KEY_OF_ANOTHER_TENANT',
        eventId: 'f-1',
        reason: `signing key "${h.submissionKey.keyId}" was issued to another tenant than the "tenant" header names ("${tenantB}")`,
      }),
    ]);
    // The stored ones are in the audit trail: by the signing key, with their event id and batch.
    const audit = (await h.http('GET', `/v1/admin/audit?action=${encodeURIComponent('KAFKA ingestion.submission.v1')}`, undefined, { token: h.tokens.admin })).body.entries;
    expect(audit.map((e: any) => [e.subject, e.role, e.requestId, e.userAgent, e.outcome, e.details.filename, e.details.status]).sort()).toEqual([
      [`submission-key:${h.submissionKey.keyId}`, 'integrator', 'a2-event', 'kafka', 201, 'a2.csv', 'accepted'],
      [`submission-key:${h.submissionKey.keyId}`, 'integrator', 'shared-event-id', 'kafka', 201, 'a1.csv', 'accepted'],
    ]);
    expect(audit.every((e: any) => /^ingestion\.submission\.v1\/\d+\/\d+$/.test(e.target) && e.details.batchId)).toBe(true);
    // Reading them is an admin's (or auditor's); an analyst is refused.
    expect((await h.http('GET', '/v1/admin/refused-submissions', undefined, { token: h.tokens.analyst })).status).toBe(403);
    // Counted for the operational alert.
    const metrics = await (await fetch(`${h.svc.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/customs_submissions_refused_total\{[^}]*code="UNSIGNED"[^}]*\} 1/);
    // And nothing of them became a declaration.
    const mrns = await waitFor('the accepted ones published', async () => {
      const seen = new Set(h.received.map((e) => e.value.declaration!.mrn));
      return ['24GBSIGNED00000011', '24GBSIGNED00000022', '24GBSIGNED00000088'].every((m) => seen.has(m)) ? seen : undefined;
    });
    for (const m of ['24GBSIGNED00000033', '24GBSIGNED00000044', '24GBSIGNED00000055', '24GBSIGNED00000066', '24GBSIGNED00000077']) expect(mrns.has(m)).toBe(false);
  });
});
