// A .fods (one uncompressed XML file) is told from a CSV by its content and read whole like an
// .xlsx or .ods: through the real service, Postgres and Kafka.
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, fodsOf } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(path.join(REPO_ROOT, 'scripts/gen-large-cds.js')) as { row(i: number, prefix: string): string; HEADER: string };
const report = (rows: number, prefix: string) => gen.HEADER + Array.from({ length: rows }, (_, i) => gen.row(i, prefix)).join('');
const table = (csv: string) => parse(csv, { relax_column_count: true }) as string[][];
function body(buf: Buffer, piece: number): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (off >= buf.length) return ctrl.close();
      ctrl.enqueue(new Uint8Array(buf.subarray(off, off + piece)));
      off += piece;
    },
  });
}

describe('flat ODS (.fods) reports through REST and multipart', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('fodsrest');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a .fods body is read as a workbook, whatever its Content-Type; the CSV after it is a duplicate', async () => {
    const csv = report(30, 'FODS01');
    const fods = fodsOf(table(csv), { typed: 'calc', repeats: true, padTo: { rows: 1_048_576, columns: 1024 } });
    for (const [ct, expectStatus] of [
      ['application/vnd.oasis.opendocument.spreadsheet-flat-xml', 'accepted'],
      ['application/xml', 'duplicate'],
      ['application/octet-stream', 'duplicate'],
    ] as const) {
      const r = await h.http('POST', '/v1/documents?format=cds-report&filename=items.fods', fods, { contentType: ct });
      expect([ct, r.status, r.body.status, r.body.declarations?.length]).toEqual([ct, expectStatus === 'accepted' ? 201 : 200, expectStatus, 10]);
    }
    // Sent in small pieces (the first chunk the server sees may be short).
    const small = await h.http('POST', '/v1/documents?format=cds-report&filename=items.fods', body(fods, 70) as never, { contentType: 'application/xml' });
    expect([small.status, small.body.status]).toEqual([200, 'duplicate']);
    const again = await h.http('POST', '/v1/documents?format=cds-report&filename=items.csv', csv, { contentType: 'text/csv' });
    expect(again.body).toMatchObject({ status: 'duplicate', declarationsDuplicate: 10 });
    const evil = fodsOf([['MRN']], { prolog: '<!DOCTYPE office:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>' });
    const bad = await h.http('POST', '/v1/documents?format=cds-report&filename=evil.fods', evil, { contentType: 'application/xml' });
    expect(bad.status).toBe(422);
    expect(bad.body.issues).toEqual([expect.objectContaining({ code: 'BAD_WORKBOOK', reason: 'not a readable .fods report: evil.fods: DOCTYPE declarations are not accepted' })]);
  });

  it('a .fods over MAX_DOCUMENT_BYTES: 413 as a body, TOO_LARGE ("export it as CSV") as a multipart file', async () => {
    const big = fodsOf(table(report(6_000, 'FODS02')));
    expect(big.length).toBeGreaterThan(1048576);
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=huge.fods', big, { contentType: 'application/xml' });
    expect(r.status).toBe(413);
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([big]), 'huge.fods');
    form.append('files', new Blob([report(3, 'FODS03')]), 'small.csv');
    const up = await h.http('POST', '/v1/uploads', form);
    expect(up.body.files[0]).toMatchObject({ filename: 'huge.fods', status: 'rejected' });
    expect(up.body.files[0].issues[0]).toMatchObject({
      code: 'TOO_LARGE',
      reason: expect.stringMatching(/workbook exceeds the 1048576-byte limit: .xlsx, .ods and .fods reports are read whole; export it as CSV/),
    });
    expect(up.body.files[1]).toMatchObject({ filename: 'small.csv', status: 'accepted' });
  });
});
