// Scale-out on the real engine (issue 18, goal 6): two instances of each consuming service
// (validation, scoring, alerting) in the same consumer groups, real processes, Kafka and Postgres.
// A generated history is uploaded to ingestion as HMRC CDS reports; while it flows, one instance
// of each consuming service is killed with SIGKILL part-way through its share; the group
// rebalances onto the survivor. Then, against counts taken from the generated data (never from
// the platform's own output): every expected finding exactly once, one score per declaration,
// one alert per (declaration, rule), one alert.changed event per history entry.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Admin } from 'kafkajs';
import { Topics } from '@customs/contracts';
import { REPO_ROOT, waitFor } from '../src';

const { startPlatform } = require('../../../scripts/bench/platform') as { startPlatform(opts: Record<string, unknown>): Promise<any> };
const { generate, cdsReports, expectedFindings } = require('../../../scripts/bench/expectation') as {
  generate(seed: number, n: number): { declaration: { lrn: string; items: unknown[] } }[];
  cdsReports(g: unknown[]): { header: string; items: string; taxes: string };
  expectedFindings(g: unknown[], seed: number, today: string): Promise<{ declarations: number; findings: { lrn: string; itemNumber: number; ruleId: string; family: string }[] }>;
};

const SEED = 20261127;
const DECLARATIONS = 1200;
const CONSUMING = ['validation', 'scoring', 'alerting'] as const;
/** Rule ids of scoring's history checks (services/scoring/src/rules/cNN-*.ts). */
const SCORING_RULES = new Set(
  fs
    .readdirSync(path.join(REPO_ROOT, 'services/scoring/src/rules'))
    .map((f) => /^c(\d\d)-/.exec(f)?.[1])
    .filter(Boolean)
    .map((n) => `C${n}`),
);
/** Validation's rules (services/validation/src/rules/cNN-*.ts) that alert in this test. */
const ALERTED = fs
  .readdirSync(path.join(REPO_ROOT, 'services/validation/src/rules'))
  .map((f) => /^c(\d\d)-/.exec(f)?.[1])
  .filter(Boolean)
  .map((n) => `C${n}`)
  .filter((id) => !SCORING_RULES.has(id));

describe('scale-out: two instances per consumer group, one of each SIGKILLed mid-backfill', () => {
  let p: any;
  let rulesDir: string;

  beforeAll(async () => {
    // One alert rule with a countable outcome: one alert per (declaration, rule) for validation's
    // findings of rules scoring's history checks do not share an id with (C02 is both), so the
    // expected alerts follow from the expected findings.
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaleout-rules-'));
    const ar001 = fs.readFileSync(path.join(REPO_ROOT, 'services/alerting/rules/AR-001-material-finding.yaml'), 'utf8');
    const countable = ar001.replace(/match:\n {2}min_severity: medium\n {2}or_money_at_stake: true\n/, `match:\n  rule_ids: [${ALERTED.join(', ')}]\n`);
    expect(countable).not.toBe(ar001);
    fs.writeFileSync(path.join(rulesDir, 'AR-001-material-finding.yaml'), countable);
    p = await startPlatform({ label: 'scaleout', instances: 2, alertRulesDir: rulesDir });
    await p.loadGeneratedTariff(SEED);
  });

  afterAll(async () => {
    await p?.stop();
    if (rulesDir) fs.rmSync(rulesDir, { recursive: true, force: true });
  });

  it('loses and duplicates no finding, score or alert when one instance of each group dies', async () => {
    const generated = generate(SEED, DECLARATIONS);
    const today = new Date().toISOString().slice(0, 10);
    const expected = await expectedFindings(generated, SEED, today);
    const expectedFindingKeys = expected.findings.map((f) => `${f.lrn}|${f.itemNumber}|${f.ruleId}`).sort();
    const expectedAlerts = new Set(expected.findings.filter((f) => ALERTED.includes(f.ruleId)).map((f) => `${f.lrn}|${f.ruleId}`)).size;
    // Not vacuous: a history with hundreds of findings and alerts.
    expect(expected.declarations).toBe(DECLARATIONS);
    expect(expectedFindingKeys.length).toBeGreaterThan(500);
    expect(new Set(expectedFindingKeys).size).toBe(expectedFindingKeys.length);

    const admin: Admin = p.kafka.admin();
    await admin.connect();
    const members = async (group: string) => (await admin.describeGroups([p.prefix + group])).groups[0]!.members.length;
    const count = async (q: string) => Number((await p.db.query(q)).rows[0].n);
    const progress = {
      validation: () => count('select count(*)::int as n from validation.checks'),
      scoring: () => count('select count(*)::int as n from scoring.declaration_scores'),
      alerting: () => count('select count(*)::int as n from alerting.alerts'),
    };
    const totals = { validation: DECLARATIONS, scoring: DECLARATIONS, alerting: expectedAlerts };
    try {
      // Both instances joined each group before any event flows.
      for (const g of ['validation', 'scoring', 'alerting']) await waitFor(`2 members in group ${g}`, async () => (await members(g)) === 2, { timeoutMs: 60000, intervalMs: 500 });

      const cds = cdsReports(generated);
      const form = new FormData();
      form.append('format', 'cds-report');
      form.append('files', new Blob([cds.header]), 'import-header.csv');
      form.append('files', new Blob([cds.taxes]), 'import-taxline.csv');
      form.append('files', new Blob([cds.items]), 'import-item.csv');
      const upload = fetch(`${p.first('ingestion').http}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });

      // Each service's instance #0 dies once that service is part-way through its own work.
      const killed: Record<string, number> = {};
      await Promise.all(
        CONSUMING.map(async (s) => {
          killed[s] = await waitFor(
            `${s} part-way`,
            async () => {
              const n = await progress[s]();
              return n >= totals[s] * 0.15 && n < totals[s] * 0.7 ? n : undefined;
            },
            { timeoutMs: 120000, intervalMs: 20 },
          );
          await p.kill(s, 0, 'SIGKILL');
        }),
      );
      const up = await upload;
      expect(up.status).toBeLessThan(300);
      const body = (await up.json()) as { files: { declarations: unknown[] }[] };
      expect(body.files.reduce((n, f) => n + f.declarations.length, 0)).toBe(DECLARATIONS);
      for (const s of CONSUMING) expect(killed[s]).toBeLessThan(totals[s]);

      // The survivors take over the dead members' partitions (after the 30 s session timeout).
      for (const s of CONSUMING) await waitFor(`${s} finished on the survivor`, async () => (await progress[s]()) >= totals[s], { timeoutMs: 150000, intervalMs: 500 });
      for (const g of ['validation', 'scoring', 'alerting']) expect(await members(g)).toBe(1);
      // A little longer: a duplicate would arrive after the last expected row.
      await new Promise((r) => setTimeout(r, 3000));

      const live = await p.db.query(`select c.lrn, f.item_number, f.rule_id from validation.findings f
        join validation.checks c on c.tenant_id = f.tenant_id and c.declaration_id = f.declaration_id and c.declaration_version = f.declaration_version`);
      const liveKeys = live.rows.map((r: { lrn: string; item_number: number; rule_id: string }) => `${r.lrn}|${r.item_number}|${r.rule_id}`).sort();
      expect(liveKeys.length).toBe(expectedFindingKeys.length);
      expect(liveKeys).toEqual(expectedFindingKeys);

      const r = await p.db.query(`select
          (select count(*)::int from validation.checks) as checks,
          (select count(*)::int from validation.inbox where consumer_group = 'validation') as validation_inbox,
          (select count(*)::int from scoring.declaration_scores) as scores,
          (select count(*)::int from scoring.inbox where consumer_group = 'scoring') as scoring_inbox,
          (select count(*)::int from alerting.alerts) as alerts,
          (select count(distinct alert_key)::int from alerting.alerts) as alert_keys,
          (select count(*)::int from alerting.alert_history where kind = 'raised') as raised,
          (select count(*)::int from alerting.findings a join validation.findings v on v.finding_id = a.finding_id) as alerting_findings,
          (select count(*)::int from alerting.inbox where consumer_group = 'alerting') as alerting_inbox`);
      expect(r.rows[0]).toEqual({
        checks: DECLARATIONS,
        validation_inbox: DECLARATIONS,
        scores: DECLARATIONS,
        scoring_inbox: DECLARATIONS,
        alerts: expectedAlerts,
        alert_keys: expectedAlerts,
        raised: expectedAlerts,
        alerting_findings: expectedFindingKeys.length,
        alerting_inbox: DECLARATIONS,
      });
      // Through the API too: the analyst sees every alert, once.
      const seen = new Set<string>();
      for (let after: string | undefined; ; ) {
        const page = await p.request('alerting', 'GET', `/v1/alerts?limit=1000&sort=created${after ? `&cursor=${encodeURIComponent(after)}` : ''}`);
        expect(page.status).toBe(200);
        for (const a of page.body.alerts) seen.add(a.alertId);
        if (page.body.alerts.length === 0 || !page.body.nextCursor) break;
        after = page.body.nextCursor;
      }
      expect(seen.size).toBe(expectedAlerts);

      // Downstream: one alert.changed event per history entry (by CloudEvents id).
      const history = await count('select count(*)::int as n from alerting.alert_history');
      await waitFor('alerting outbox drained', async () => (await count('select count(*)::int as n from alerting.outbox')) === 0, { timeoutMs: 60000 });
      const ids = new Set<string>();
      const reader = p.kafka.consumer({ groupId: `${p.prefix}reader` });
      await reader.connect();
      await reader.subscribe({ topic: p.topic(Topics.alertChanged.name), fromBeginning: true });
      await reader.run({ eachMessage: async ({ message }: { message: { headers: Record<string, Buffer> } }) => void ids.add(message.headers.ce_id!.toString()) });
      try {
        await waitFor('every alert.changed event', async () => ids.size >= history, { timeoutMs: 60000 });
      } finally {
        await reader.disconnect();
      }
      expect(ids.size).toBe(history);
    } finally {
      await admin.disconnect();
    }
  });
});
