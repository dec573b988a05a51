import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// Issue 11, defect 9: HMRC's XSD check was silently skipped for a document with a processing
// instruction before its root (libxml2-wasm answers undefined for that sibling, and the path
// walk threw) and one carrying a comment of about 10 MiB. Through the real service: both are now
// checked (the schema error is listed), and the batch says so.
describe('the HMRC XSD check runs on documents with a PI before the root or a ~10 MiB comment', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('xsdskips');
  });
  afterAll(async () => {
    await h?.stop();
  });
  const sample = fs.readFileSync(path.join(HMRC_SAMPLES, 'TT_IM017a/Step1_TT_IM017a.xml'), 'utf8');
  // One schema error: a FunctionalReferenceID of 40 characters (the XSD allows 35).
  const invalid = sample.replace(/<FunctionalReferenceID>[^<]*</, `<FunctionalReferenceID>${'X'.repeat(40)}<`);
  const schemaIssues = async (body: string, filename: string) => {
    const r = await h.http('POST', `/v1/documents?filename=${filename}`, body, { contentType: 'application/xml' });
    expect(r.status).toBe(201);
    const stored = await h.query<{ code: string; reason: string }>(`select code, reason from ingestion.batch_issues where batch_id = $1 and code like 'XSD%' order by id`, [r.body.batchId]);
    return stored.map((i) => [i.code, i.reason]);
  };
  const checked = [['XSD_INVALID', "Element 'FunctionalReferenceID': [facet 'maxLength'] The value has a length of '40'; this exceeds the allowed maximum length of '35'."]];

  it('a processing instruction before the root (with and without an XML declaration): checked, the schema error listed', async () => {
    expect(await schemaIssues(invalid.replace(/^(<\?xml[^>]*\?>)/, '$1<?hmrc-export tool="x"?>'), 'pi.xml')).toEqual(checked);
    expect(await schemaIssues(`<?hmrc-export tool="x"?>${invalid.replace('X'.repeat(40), 'Z'.repeat(40)).replace(/^<\?xml[^>]*\?>\s*/, '')}`, 'pi-first.xml')).toEqual(checked);
  });

  it('a comment of 9.5 MiB (under MAX_DOCUMENT_BYTES): checked, the schema error listed', async () => {
    // Another 40-character reference, so it is a new declaration version, not a duplicate.
    const big = invalid.replace('X'.repeat(40), 'Y'.repeat(40)).replace(/^(<\?xml[^>]*\?>)/, `$1<!--${'c'.repeat(9.5 * 1024 * 1024)}-->`);
    expect(await schemaIssues(big, 'comment.xml')).toEqual(checked);
  });
});
