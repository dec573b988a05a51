import { loadFacts, worldFor } from '@customs/datagen';
import { generatedTariffFiles } from '@customs/datagen/dist/ott-dataset';
import { waitFor } from '../src';
import { startPlatform, type Platform } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lq = require('../../../scripts/live-quality') as {
  regenerate(summary: { seed: number; declarations: number }): { declaration: { declarationId: string; lrn: string } }[];
  cdsReports(generated: unknown[]): { header: string; items: string; taxes: string };
};

const SEED = 20261127;
const DECLARATIONS = 300; // the history `make up` uploads

// What `make up` shows an analyst, on the five real services: the bundled history goes through
// ingestion, reference and validation, and alerting's default pack correlates it — threshold,
// new-terms, deadline and risk-accumulation alerts; time-barred ones `expired`; the list sorted
// by pounds and by days left.
describe('alerting on the bundled history (five real services, Kafka, Postgres, gRPC)', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform('alhistory');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('raises alerts of every correlation type, expires time-barred ones and sorts by money and days left', async () => {
    const facts = loadFacts();
    const tariff = generatedTariffFiles(worldFor(SEED, undefined, facts), facts);
    for (const [name, body] of [
      ['ott-generated-geographical-areas.json', tariff.geographicalAreas],
      ['ott-generated-tariff.csv', tariff.report],
    ] as const) {
      const r = await fetch(`${p.services.reference.httpUrl}/v1/admin/ott-loads?source=${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.tokens.service}`, 'content-type': 'application/octet-stream' },
        body,
      });
      expect([r.status, name]).toEqual([201, name]);
    }
    const cds = lq.cdsReports(lq.regenerate({ seed: SEED, declarations: DECLARATIONS }));
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([cds.header]), 'import-header.csv');
    form.append('files', new Blob([cds.taxes]), 'import-taxline.csv');
    form.append('files', new Blob([cds.items]), 'import-item.csv');
    const up = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    expect(up.status).toBeLessThan(300);

    // Settled: the alert count stops changing (the deadline pass and the consumers are done).
    let last = -1;
    const all = await waitFor(
      'alerts to settle',
      async () => {
        const list = (await p.http('alerting', 'GET', '/v1/alerts?limit=1000')).body.alerts as any[];
        const settled = list.length > 0 && list.length === last;
        last = list.length;
        return settled ? list : undefined;
      },
      { timeoutMs: 300000, intervalMs: 3000 },
    );
    const types = new Map<string, number>();
    for (const a of all) types.set(a.alertRuleType, (types.get(a.alertRuleType) ?? 0) + 1);
    console.info(`alerts on the bundled history by rule type: ${JSON.stringify(Object.fromEntries(types))}`);
    for (const t of ['finding_match', 'threshold', 'new_terms', 'deadline', 'risk_accumulation']) expect([t, types.get(t) ?? 0]).toEqual([t, expect.any(Number)]);
    for (const t of ['threshold', 'new_terms', 'deadline', 'risk_accumulation']) expect(types.get(t) ?? 0).toBeGreaterThan(0);

    // A time-barred alert shows `expired`, with the history entry saying why.
    const expired = all.find((a) => a.statusName === 'expired' && a.exposurePence > 0);
    expect(expired).toBeDefined();
    expect(expired.daysLeft).toBeLessThan(0);
    const h = (await p.http('alerting', 'GET', `/v1/alerts/${expired.alertId}/history`)).body.history;
    expect(h.at(-1)).toMatchObject({ kind: 'expired', to: 'expired', actor: 'system', reason: expect.stringContaining('time-barred') });
    expect(all.filter((a) => ['new', 'acknowledged', 'in_progress'].includes(a.statusName) && a.daysLeft !== null && a.daysLeft < 0)).toEqual([]);

    const byMoney = (await p.http('alerting', 'GET', '/v1/alerts?sort=money&limit=50')).body.alerts.map((a: any) => a.moneyAtStakePence);
    expect(byMoney).toEqual([...byMoney].sort((x: number, y: number) => y - x));
    expect(byMoney[0]).toBeGreaterThan(0);
    const byDays = (await p.http('alerting', 'GET', '/v1/alerts?sort=days_left&limit=200')).body.alerts.filter((a: any) => a.daysLeft !== null).map((a: any) => a.daysLeft);
    expect(byDays).toEqual([...byDays].sort((x: number, y: number) => x - y));
  });
});
