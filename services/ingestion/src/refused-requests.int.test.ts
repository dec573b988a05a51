import { createHash } from 'node:crypto';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// Issue 11, defect 12: every refusal at ingestion (413, 415, 400) is a batch too — status
// rejected, the reason as its issue, the raw bytes kept unless the document is over the cap (then
// only the size and SHA-256 of what was read) — through the real service and Postgres.
describe('refused submissions are recorded as rejected batches', () => {
  let h: IngestionHarness;
  const CAP = 64 * 1024;
  beforeAll(async () => {
    h = await startIngestion('refusedreq', { MAX_DOCUMENT_BYTES: String(CAP) });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const batch = async (id: string) =>
    (
      await h.query<{ status: string; format: string; channel: string; source_name: string; size_bytes: number; content_sha256: string; raw: number; issue_count: number }>(
        `select status, format, channel, source_name, size_bytes, content_sha256, length(raw_content) as raw, issue_count from ingestion.batches where batch_id = $1`,
        [id],
      )
    )[0];
  const issues = async (id: string) => h.query<{ code: string; field: string; reason: string }>(`select code, field, reason from ingestion.batch_issues where batch_id = $1`, [id]);

  it('413: a document over MAX_DOCUMENT_BYTES is a rejected batch with the size and hash of what was read, and no raw bytes', async () => {
    const big = Buffer.alloc(CAP * 3, '<a/>');
    const r = await h.http('POST', '/v1/documents?filename=big.xml', big, { contentType: 'application/xml' });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'too_large', message: `the document exceeds the ${CAP}-byte limit`, details: { batchId: expect.any(String) } });
    const b = (await batch(r.body.details.batchId))!;
    expect(b).toMatchObject({ status: 'rejected', format: 'dms-xml', channel: 'rest', source_name: 'big.xml', raw: 0, issue_count: 1 });
    // Read up to the cap (and the chunk that crossed it): more than the cap, less than the whole.
    expect(b.size_bytes).toBeGreaterThan(CAP);
    expect(b.size_bytes).toBeLessThanOrEqual(big.length);
    expect(b.content_sha256).toBe(createHash('sha256').update(big.subarray(0, b.size_bytes)).digest('hex'));
    expect(await issues(r.body.details.batchId)).toEqual([{ code: 'TOO_LARGE', field: '(size)', reason: `the document exceeds the ${CAP}-byte limit` }]);
  });

  it('400: an unsupported format and an empty body are rejected batches, the document kept as sent', async () => {
    const r = await h.http('POST', '/v1/documents?format=pdf&filename=scan.pdf', '%PDF-1.7 not a declaration', { contentType: 'application/octet-stream' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('unsupported_format');
    const b = (await batch(r.body.details.batchId))!;
    expect(b).toMatchObject({ status: 'rejected', format: 'pdf', source_name: 'scan.pdf', size_bytes: 26, raw: 26 });
    expect((await issues(r.body.details.batchId))[0]).toMatchObject({ code: 'UNSUPPORTED_FORMAT', field: 'format' });
    expect(await h.query(`select convert_from(raw_content, 'UTF8') as raw from ingestion.batches where batch_id = $1`, [r.body.details.batchId])).toEqual([{ raw: '%PDF-1.7 not a declaration' }]);

    const empty = await h.http('POST', '/v1/documents?filename=nothing.xml', '', { contentType: 'application/xml' });
    expect(empty.status).toBe(400);
    expect(await batch(empty.body.details.batchId)).toMatchObject({ status: 'rejected', size_bytes: 0, raw: 0 });
    expect((await issues(empty.body.details.batchId))[0]).toMatchObject({ code: 'EMPTY_BODY', field: '(body)' });
  });

  it('415: an upload that is not multipart is a rejected batch with the body it carried', async () => {
    const r = await h.http('POST', '/v1/uploads', '{"not":"multipart"}', { contentType: 'application/json' });
    expect(r.status).toBe(415);
    expect(r.body.error).toBe('not_multipart');
    const b = (await batch(r.body.details.batchId))!;
    expect(b).toMatchObject({ status: 'rejected', channel: 'rest-multipart', raw: 19 });
    expect((await issues(r.body.details.batchId))[0]).toMatchObject({ code: 'NOT_MULTIPART', field: '(content-type)', reason: expect.stringContaining('got application/json') });
  });
});
