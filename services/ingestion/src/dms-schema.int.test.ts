import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';
import { configureDmsSchemaCheck } from './parse/dms';

const sample = (rel: string): string => fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples', rel), 'utf8');
// TT_IM001a with its LRN (FunctionalReferenceID, at most 35 characters in HMRC's schema) made 36 long.
const LRN = '<FunctionalReferenceID>7847767E1WB6</FunctionalReferenceID>';
const longLrn = (suffix: string) => sample('TT_IM001a/Step1_TT_IM001a.xml').replace(LRN, `<FunctionalReferenceID>${`7847767E1WB6${suffix}`.padEnd(36, 'X')}</FunctionalReferenceID>`);

// The HMRC XSD check through the real service: REST upload → stored batch issues, and its switch.
describe('DMS declarations checked against HMRC XSDs', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('dmsxsd');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('ingests a declaration that breaks the schema, with an XSD_INVALID warning stored on its batch', async () => {
    const r = await h.http('POST', '/v1/documents?filename=long-lrn.xml', longLrn('A'));
    expect(r.status).toBe(201);
    expect(r.body.declarations).toHaveLength(1);
    const warning = {
      severity: 'warning',
      sourceName: 'long-lrn.xml',
      line: 24,
      location: 'MetaData/Declaration/FunctionalReferenceID',
      field: 'FunctionalReferenceID',
      code: 'XSD_INVALID',
      reason: "Element 'FunctionalReferenceID': [facet 'maxLength'] The value has a length of '36'; this exceeds the allowed maximum length of '35'.",
    };
    expect(r.body.issues).toEqual([expect.objectContaining(warning)]);
    const batch = await h.http('GET', `/v1/batches/${r.body.batchId}`, undefined, { token: h.tokens.analyst });
    expect(batch.body.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'XSD_INVALID', field: 'FunctionalReferenceID', line: 24, reason: warning.reason })]);
  });

  it('ingests a valid HMRC sample without schema issues, and rejects TT_IM222a quoting the schema', async () => {
    const valid = await h.http('POST', '/v1/documents?filename=TT_IM017a.xml', sample('TT_IM017a/Step1_TT_IM017a.xml'));
    expect(valid.status).toBe(201);
    expect(valid.body.issues.filter((i: { code: string }) => i.code.startsWith('XSD_'))).toEqual([]);
    const bad = await h.http('POST', '/v1/documents?filename=TT_IM222a.xml', sample('TT_IM222a/Step1_TT_IM222a.xml'));
    expect(bad.status).toBe(422);
    expect(bad.body.issues).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'WRONG_NAMESPACE',
        reason: expect.stringContaining("(libxml2) at line 2: Element '{urnwcodatamodelWCODEC-DMS2}mdMetaData': No matching global declaration available for the validation root."),
      }),
    ]);
  });

  it('DMS_XSD_CHECK=false turns the check off', async () => {
    const off = await startIngestion('dmsxsdoff', { DMS_XSD_CHECK: 'false' });
    try {
      const r = await off.http('POST', '/v1/documents?filename=long-lrn.xml', longLrn('B'));
      expect(r.status).toBe(201);
      expect(r.body.issues).toEqual([]);
    } finally {
      await off.stop();
      // The services share the process-wide setting: put it back for any test after this one.
      configureDmsSchemaCheck({ enabled: true });
    }
  });
});
