import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadFacts, worldFor } from '@customs/datagen';
import { generatedTariffFiles } from '@customs/datagen/dist/ott-dataset';
import { REPO_ROOT, waitFor } from '../src';
import { startPlatform, type Platform } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lq = require('../../../scripts/live-quality') as {
  regenerate(summary: { seed: number; declarations: number }): { declaration: { declarationId: string; lrn: string; items: unknown[] }; truth: unknown[] }[];
  liveTally(
    generated: unknown[],
    liveFindings: (d: { lrn: string }) => Promise<unknown[] | undefined>,
  ): Promise<{ results: { ruleId: string; expected: number; truePositives: number; falsePositives: number; amountsExact: number }[]; missing: number }>;
  inProcessTally(generated: unknown[], seed: number, today: string): Promise<{ results: { ruleId: string; expected: number; truePositives: number }[] }>;
  cdsReports(generated: unknown[]): { header: string; items: string; taxes: string };
  differences(live: unknown[], inProcess: unknown[]): string[];
  renderLiveSection(x: unknown): string;
  withLiveSection(doc: string, section: string): string;
};

const SEED = 20261127;
const DECLARATIONS = 300; // the history `make up` uploads
const DOC = path.join(REPO_ROOT, 'docs/quality.md');

// What `make up` does, on the real services (Kafka, Postgres, gRPC): the generated world's tariff
// view is loaded into reference through its admin OTT load, the generated history goes to
// ingestion as CDS reports, validation checks it against reference; the findings it raised are
// compared with the ground truth. Live detection must equal the in-process figure, rule by rule.
describe('live detection quality: generated history through ingestion + reference + validation', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform('livequality');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('finds through the running services exactly what the in-process evaluation finds, and docs/quality.md says so', async () => {
    const facts = loadFacts();
    const tariff = generatedTariffFiles(worldFor(SEED, undefined, facts), facts);
    const load = async (name: string, body: string) => {
      const r = await fetch(`${p.services.reference.httpUrl}/v1/admin/ott-loads?source=${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.tokens.service}`, 'content-type': 'application/octet-stream' },
        body,
      });
      expect([r.status, name]).toEqual([201, name]);
      return r.json();
    };
    await load('ott-generated-geographical-areas.json', tariff.geographicalAreas);
    const loaded = await load('ott-generated-tariff.csv', tariff.report);
    expect(loaded).toMatchObject({ format: 'ott-declarable-duties', measures: tariff.measures, commodityCodes: tariff.commodityCodes });

    const generated = lq.regenerate({ seed: SEED, declarations: DECLARATIONS });
    const cds = lq.cdsReports(generated);
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([cds.header]), 'import-header.csv');
    form.append('files', new Blob([cds.taxes]), 'import-taxline.csv');
    form.append('files', new Blob([cds.items]), 'import-item.csv');
    const up = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    expect(up.status).toBeLessThan(300);
    const upload = (await up.json()) as { files: { declarations: { lrn: string; declarationId: string }[] }[] };
    const liveId = new Map(upload.files.flatMap((f) => f.declarations.map((d) => [d.lrn, d.declarationId] as const)));
    expect(liveId.size).toBe(DECLARATIONS);

    for (const id of liveId.values()) await waitFor(`checks of ${id}`, async () => ((await p.http('validation', 'GET', `/v1/declarations/${id}/checks`)).status === 200 ? true : undefined));
    const live = await lq.liveTally(generated, async (d) => {
      const id = liveId.get(d.lrn);
      return id ? (await p.http('validation', 'GET', `/v1/declarations/${id}/findings`)).body.findings : undefined;
    });
    const today = new Date().toISOString().slice(0, 10);
    const inProcess = await lq.inProcessTally(generated, SEED, today);
    expect(live.missing).toBe(0);
    expect(lq.differences(live.results, inProcess.results)).toEqual([]);
    // Not vacuous: the history carries hundreds of expected findings and most are found.
    const expected = live.results.reduce((n, r) => n + r.expected, 0);
    const found = live.results.reduce((n, r) => n + r.truePositives, 0);
    expect(expected).toBeGreaterThan(200);
    expect(found / expected).toBeGreaterThan(0.6);

    const items = generated.reduce((n, g) => n + g.declaration.items.length, 0);
    const section = lq.renderLiveSection({
      live: live.results,
      inProcess: inProcess.results,
      summary: { seed: SEED, declarations: DECLARATIONS, items, injected: generated.filter((g) => g.truth.length > 0).length },
      how: 'Measured by `packages/testing/e2e/live-quality.e2e.test.ts` on the five real services (Kafka, Postgres, gRPC), the same history `make up` uploads.',
    });
    const doc = fs.readFileSync(DOC, 'utf8');
    if (process.env.UPDATE_QUALITY_DOC === '1') fs.writeFileSync(DOC, lq.withLiveSection(doc, section));
    expect(fs.readFileSync(DOC, 'utf8')).toContain(section);
  });
});
