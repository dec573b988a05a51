import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlertStatus, Declaration, GoodsItem, Severity } from '@customs/contracts';
import { needs } from './decide';
import type { AlertException } from './exceptions';
import { checkTransition, isOpen } from './lifecycle';
import type { Input } from './model';
import { checkRuleSetting, effectiveRule, parseAlertRule, rulesForTenant, type AlertRule } from './rules';
import { declarationInput } from './terms';
import { alertJson } from './view';
import { MemoryStore, finding } from './__fixtures__/memory';

const rulesDir = path.resolve(__dirname, '../../rules');
const load = (f: string) => parseAlertRule(f, fs.readFileSync(path.join(rulesDir, f), 'utf8'));
const ar1 = load('AR-001-material-finding.yaml');
const ar3 = load('AR-003-systemic-broker-error.yaml');
const NOW = new Date('2026-12-01T00:00:00Z');
const checked = (declarationId: string, version: number, fs_: ReturnType<typeof finding>[], superseded: string[] = []): Input => ({
  kind: 'checked',
  eventId: `c/${declarationId}/${version}`,
  tenantId: 't1',
  declarationId,
  version,
  findings: fs_,
  supersededIds: superseded,
});

describe('rule files', () => {
  it('parse with metadata, type and a content hash', () => {
    expect(ar1).toMatchObject({ id: 'AR-001', type: 'finding_match', status: 'stable', level: 'medium', groupBy: ['declaration_id', 'rule_id'], throttleMinutes: 60 });
    expect(ar1.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ar3).toMatchObject({ type: 'threshold', measure: 'count', atLeast: 5, windowDays: 7, groupBy: ['broker', 'rule_id'] });
  });

  it('are checked against the JSON Schema; errors name the file and the field', () => {
    const head = 'name: n\nstatus: stable\nlevel: high\ndescription: d\n';
    expect(() => parseAlertRule('bad.yaml', `id: X1\n${head}type: finding_match\nmatch: {}\ngroup_by: [declaration_id]`)).toThrow('bad.yaml: field "id" must match pattern');
    expect(() => parseAlertRule('bad2.yaml', 'id: AR-009\nname: n\nstatus: stable\nlevel: loud\ndescription: d\ntype: finding_match')).toThrow(
      'bad2.yaml: field "level" must be one of info, low, medium, high, critical',
    );
    expect(() => parseAlertRule('bad3.yaml', `id: AR-009\n${head}type: finding_match\nmatch: {}\ngroup_by: [colour]`)).toThrow('bad3.yaml: field "group_by.0" must be one of');
    expect(() => parseAlertRule('bad4.yaml', `id: AR-009\n${head}type: threshold\ngroup_by: [broker]\nmeasure: count\nat_least: 5\nwindow_days: 0`)).toThrow(
      'bad4.yaml: field "window_days" must be >= 1',
    );
    expect(() => parseAlertRule('bad5.yaml', `id: AR-009\n${head}type: threshold\ngroup_by: [broker]\nmeasure: count\nwindow_days: 3`)).toThrow('bad5.yaml: field "at_least" is required');
    expect(() => parseAlertRule('bad6.yaml', `id: AR-009\n${head}type: deadline\nmeasure: reclaim\nbands: [{ days: 90, level: high }]\nwindow: 3`)).toThrow(
      'bad6.yaml: field "window" is not a known field',
    );
    expect(() => parseAlertRule('bad7.yaml', `id: AR-009\n${head}type: sigma`)).toThrow('bad7.yaml: field "type" must be one of finding_match, threshold');
    expect(() => parseAlertRule('bad8.yaml', ': : :')).toThrow('bad8.yaml');
  });

  it('tenant settings disable or tune a rule, refusing unknown or out-of-range parameters', () => {
    expect(effectiveRule(ar3, { enabled: false, params: {} })).toBeUndefined();
    expect(effectiveRule(ar3, { enabled: true, params: { at_least: 3 } })).toMatchObject({ atLeast: 3, hash: ar3.hash });
    expect(checkRuleSetting(ar3, { enabled: true, params: { at_least: 0 } })).toMatch(/"at_least" must be a whole number from 1/);
    expect(checkRuleSetting(ar3, { enabled: true, params: { colour: 1 } })).toMatch(/no tunable parameter "colour"; it has at_least, window_days/);
    expect(rulesForTenant([ar1, ar3], new Map([['AR-001', { enabled: false, params: {} }]])).map((r) => r.id)).toEqual(['AR-003']);
  });
});

describe('lifecycle', () => {
  it('allows triage moves with a reason and refuses the rest, saying why', () => {
    const S = AlertStatus;
    expect(checkTransition(S.ALERT_STATUS_NEW, S.ALERT_STATUS_ACKNOWLEDGED, undefined, 'seen')).toBeUndefined();
    expect(checkTransition(S.ALERT_STATUS_ACKNOWLEDGED, S.ALERT_STATUS_IN_PROGRESS, undefined, 'on it')).toBeUndefined();
    expect(checkTransition(S.ALERT_STATUS_NEW, S.ALERT_STATUS_IN_PROGRESS, undefined, '')).toMatch(/reason is required/);
    expect(checkTransition(S.ALERT_STATUS_IN_PROGRESS, S.ALERT_STATUS_RESOLVED, undefined, 'fixed')).toMatch(/needs a disposition/);
    expect(checkTransition(S.ALERT_STATUS_IN_PROGRESS, S.ALERT_STATUS_RESOLVED, 'true_positive_reclaimed_c285', 'C285 filed')).toBeUndefined();
    expect(checkTransition(S.ALERT_STATUS_NEW, S.ALERT_STATUS_EXPIRED, undefined, 'x')).toMatch(/cannot move an alert from new to expired/);
    expect(checkTransition(S.ALERT_STATUS_EXPIRED, S.ALERT_STATUS_ARCHIVED, undefined, 'time-barred, filed')).toBeUndefined();
    expect(checkTransition(S.ALERT_STATUS_ARCHIVED, S.ALERT_STATUS_NEW, undefined, 'x')).toMatch(/cannot move an alert from archived to new/);
    expect(isOpen(S.ALERT_STATUS_ACKNOWLEDGED)).toBe(true);
    expect(isOpen(S.ALERT_STATUS_EXPIRED)).toBe(false);
  });
});

describe('decide', () => {
  it('absorbs an amendment’s finding before withdrawing the old one (one event), so the alert stays open', () => {
    const m = new MemoryStore(() => [ar1]);
    m.batch([checked('d1', 1, [finding({ findingId: 'f1', exposureDutyPence: 1000 })])], NOW);
    const [e] = m.batch([checked('d1', 2, [finding({ findingId: 'f2', declarationVersion: 2, exposureDutyPence: 1500 })], ['f1'])], NOW);
    expect(e!.alert).toMatchObject({ status: AlertStatus.ALERT_STATUS_NEW, suppressedCount: 1, findingIds: ['f1', 'f2'], exposurePence: 1500 });
    expect(e!.alert.findings.map((f) => [f.findingId, f.withdrawn])).toEqual([
      ['f1', true],
      ['f2', false],
    ]);
    // One history entry for the batch (repeat + withdrawal), not one per finding.
    expect(e!.entries).toHaveLength(1);
    expect(e!.entries[0]!.reason).toMatch(/^repeat suppressed: finding C09 f2; finding C09 f1 withdrawn \(superseded by version 2/);
    // A withdrawal that leaves live findings is recorded but pages nobody.
    m.batch([checked('d1', 2, [finding({ findingId: 'f3', declarationVersion: 2, itemNumber: 2 })])], new Date('2026-12-01T05:00:00Z'));
    const [w] = m.batch([checked('d1', 3, [], ['f2'])], new Date('2026-12-01T05:01:00Z'));
    expect(w!.entries).toEqual([expect.objectContaining({ kind: 'absorbed', notify: false })]);
    expect(w!.alert.status).toBe(AlertStatus.ALERT_STATUS_NEW);
  });

  it('auto-resolves when every contributing finding is withdrawn, and reopens when a finding joins', () => {
    const m = new MemoryStore(() => [ar1]);
    m.batch([checked('d1', 1, [finding({ findingId: 'f1' })])], NOW);
    const [resolved] = m.batch([checked('d1', 2, [], ['f1'])], NOW);
    expect(resolved!.alert).toMatchObject({ status: AlertStatus.ALERT_STATUS_RESOLVED, disposition: 'findings_withdrawn' });
    expect(resolved!.entries[0]).toMatchObject({ kind: 'auto_resolved', from: AlertStatus.ALERT_STATUS_NEW, to: AlertStatus.ALERT_STATUS_RESOLVED, actor: 'system' });
    expect(resolved!.entries[0]!.reason).toMatch(/every contributing finding was withdrawn or superseded/);
    const [reopened] = m.batch([checked('d1', 3, [finding({ findingId: 'f3', declarationVersion: 3 })])], NOW);
    expect(reopened!.alert.alertId).toBe(resolved!.alert.alertId);
    expect(reopened!.entries[0]).toMatchObject({ kind: 'reopened', from: AlertStatus.ALERT_STATUS_RESOLVED, to: AlertStatus.ALERT_STATUS_NEW });
  });

  it('a history finding withdrawn by scoring (with its reason) resolves the alert; raised again, it takes its place back, listed once', () => {
    const m = new MemoryStore(() => [ar1]);
    const h = finding({ findingId: 'h1', ruleId: 'C20', source: 'scoring' });
    const [raised] = m.batch([checked('d9', 1, [h])], NOW);
    const withdrawal: Input = { ...checked('d9', 0, [], ['h1']), eventId: 'w/d9', withdrawnReason: 'C20 judged the supplier’s history again and no longer reaches it' };
    const [resolved] = m.batch([withdrawal], NOW);
    expect(resolved!.alert).toMatchObject({ alertId: raised!.alert.alertId, status: AlertStatus.ALERT_STATUS_RESOLVED, disposition: 'findings_withdrawn' });
    expect(resolved!.entries[0]!.reason).toContain('C20 judged the supplier’s history again');
    expect(resolved!.alert.findings[0]).toMatchObject({ findingId: 'h1', withdrawn: true, withdrawnReason: 'C20 judged the supplier’s history again and no longer reaches it' });
    const [again] = m.batch([{ ...checked('d9', 1, [h]), eventId: 'again/d9' }], NOW);
    expect(again!.alert.alertId).toBe(raised!.alert.alertId);
    expect(again!.entries[0]).toMatchObject({ kind: 'reopened', from: AlertStatus.ALERT_STATUS_RESOLVED, to: AlertStatus.ALERT_STATUS_NEW });
    expect(again!.alert.findings.map((f) => [f.findingId, f.withdrawn])).toEqual([['h1', false]]);
  });

  it('a risk alert auto-resolved when its findings were withdrawn reopens when one is raised again (its points back), no second alert', () => {
    const ar11 = load('AR-011-supplier-risk.yaml');
    const m = new MemoryStore(() => [ar11]);
    // Three rule families on one supplier: fires (fire_at_families 3).
    const fs3 = [
      finding({ findingId: 'r1', ruleId: 'C20', family: 'origin', source: 'scoring', severity: Severity.SEVERITY_HIGH, declarationId: 'd1' }),
      finding({ findingId: 'r2', ruleId: 'C05', family: 'valuation', severity: Severity.SEVERITY_HIGH, declarationId: 'd2' }),
      finding({ findingId: 'r3', ruleId: 'C01', family: 'classification', severity: Severity.SEVERITY_HIGH, declarationId: 'd3' }),
    ];
    m.batch([checked('d1', 1, [fs3[0]!]), checked('d2', 1, [fs3[1]!]), checked('d3', 1, [fs3[2]!])], NOW);
    expect(m.alerts).toHaveLength(1);
    const raised = m.alerts[0]!.alert;
    expect(raised.findings.map((f) => [f.findingId, f.riskPoints])).toEqual([
      ['r1', 30],
      ['r2', 30],
      ['r3', 30],
    ]);
    m.batch(
      [
        { ...checked('d1', 0, [], ['r1']), eventId: 'w1' },
        { ...checked('d2', 0, [], ['r2']), eventId: 'w2' },
        { ...checked('d3', 0, [], ['r3']), eventId: 'w3' },
      ],
      NOW,
    );
    expect(m.alerts[0]!.alert).toMatchObject({ status: AlertStatus.ALERT_STATUS_RESOLVED, disposition: 'findings_withdrawn' });
    const [again] = m.batch([{ ...checked('d1', 1, [fs3[0]!]), eventId: 'again/d1' }], NOW);
    expect(m.alerts).toHaveLength(1);
    expect(again!.alert).toMatchObject({ alertId: raised.alertId, status: AlertStatus.ALERT_STATUS_NEW, riskPoints: 30 });
    expect(again!.entries[0]).toMatchObject({ kind: 'reopened', from: AlertStatus.ALERT_STATUS_RESOLVED });
    expect(again!.alert.findings.map((f) => [f.findingId, f.withdrawn])).toEqual([
      ['r1', false],
      ['r2', true],
      ['r3', true],
    ]);
  });

  it('a finding raised again counts again in an older alert of its key too (one an analyst closed before a newer alert was raised)', () => {
    const m = new MemoryStore(() => [ar1]);
    m.batch([checked('d1', 1, [finding({ findingId: 'o1' })])], NOW);
    const old = m.alerts[0]!;
    // The analyst closes it; a later finding of the same key raises a new alert.
    old.alert = { ...old.alert, status: AlertStatus.ALERT_STATUS_RESOLVED, disposition: 'false_positive' };
    const later = new Date('2026-12-01T06:00:00Z');
    m.batch([checked('d1', 1, [finding({ findingId: 'o2', itemNumber: 2 })])], later);
    expect(m.alerts).toHaveLength(2);
    m.batch([{ ...checked('d1', 0, [], ['o1']), eventId: 'w/o1' }], later);
    expect(m.alerts[0]!.alert.findings[0]).toMatchObject({ findingId: 'o1', withdrawn: true });
    m.batch([{ ...checked('d1', 1, [finding({ findingId: 'o1' })]), eventId: 'again/o1' }], later);
    // Listed live again where it was (the closed alert keeps its status), and counted in the open one.
    expect(m.alerts[0]!.alert).toMatchObject({ status: AlertStatus.ALERT_STATUS_RESOLVED, disposition: 'false_positive' });
    expect(m.alerts[0]!.alert.findings.map((f) => [f.findingId, f.withdrawn])).toEqual([['o1', false]]);
    expect(m.alerts.flatMap((a) => a.alert.findings).filter((f) => f.findingId === 'o1' && f.withdrawn)).toEqual([]);
  });

  it('keeps a long-open alert bounded: findings beyond the listed 500 are counted and priced once, not listed', () => {
    const m = new MemoryStore(() => [ar1]);
    const many = Array.from({ length: 505 }, (_, i) => finding({ findingId: `m${i}`, itemNumber: i + 1, exposureDutyPence: 100, exposureVatPence: 20 }));
    m.batch([checked('d1', 1, many.slice(0, 300))], NOW);
    m.batch([checked('d1', 1, many.slice(300))], NOW);
    // A re-evaluation re-sends every finding unchanged: nothing is counted twice.
    const again = m.batch([checked('d1', 1, many)], NOW);
    expect(again).toEqual([]);
    const a = m.openOf('AR-001')[0]!;
    expect(a.findings).toHaveLength(500);
    expect(a).toMatchObject({ omittedFindings: 5, omittedExposureDutyPence: 500, exposurePence: 505 * 120, suppressedCount: 504 });
  });

  it('throttles notifications of repeats separately from detection', () => {
    const m = new MemoryStore(() => [ar1]);
    m.batch([checked('d1', 1, [finding({ findingId: 'f1' })])], NOW);
    const [soon] = m.batch([checked('d1', 1, [finding({ findingId: 'f2', itemNumber: 2 })])], new Date('2026-12-01T00:10:00Z'));
    expect(soon!.entries[0]).toMatchObject({ kind: 'absorbed', notify: false });
    const [later] = m.batch([checked('d1', 1, [finding({ findingId: 'f3', itemNumber: 3 })])], new Date('2026-12-01T02:00:00Z'));
    expect(later!.entries[0]).toMatchObject({ kind: 'absorbed', notify: true });
    expect(later!.alert.suppressedCount).toBe(2);
  });

  it('an active exception raises the alert as suppressed; an expired one no longer suppresses', () => {
    const ex = (expiresAt: string): AlertException => ({
      id: 'ex1',
      tenantId: 't1',
      scope: { broker: 'GB200000000002', rule_id: 'C09' },
      owner: 'jo@example.com',
      reason: 'broker retrained',
      expiresAt,
      createdBy: 'jo@example.com',
      createdAt: '2026-11-01T00:00:00Z',
    });
    const active = new MemoryStore(() => [ar1]);
    active.exceptions = [ex('2027-01-01T00:00:00Z')];
    const [s] = active.batch([checked('d1', 1, [finding({ findingId: 'f1' })])], NOW);
    expect(s!.alert).toMatchObject({ status: AlertStatus.ALERT_STATUS_SUPPRESSED, exceptionId: 'ex1' });
    expect(s!.entries[0]).toMatchObject({ notify: false });
    expect(s!.entries[0]!.reason).toMatch(/suppressed by exception ex1 \(owner jo@example.com: broker retrained/);
    const expired = new MemoryStore(() => [ar1]);
    expired.exceptions = [ex('2026-11-30T00:00:00Z')];
    expect(expired.batch([checked('d1', 1, [finding({ findingId: 'f1' })])], NOW)[0]!.alert.status).toBe(AlertStatus.ALERT_STATUS_NEW);
  });

  it('needs() asks for the keys, windows and memory the rules need, and nothing for other tenants’ rules', () => {
    const n = needs([checked('d1', 1, [finding({ findingId: 'f1', acceptanceDate: '2024-01-15' })], ['f0'])], () => [ar1, ar3] as AlertRule[]);
    expect(n.keys.map((k) => k.key).sort()).toEqual(['AR-001|d1|C09', 'AR-003|GB200000000002|C09']);
    expect(n.slices).toEqual([{ tenantId: 't1', field: 'broker', value: 'GB200000000002', from: '2024-01-08', to: '2024-01-22', keys: ['AR-003|GB200000000002|C09'] }]);
    expect(n.findingIds).toEqual([{ tenantId: 't1', findingId: 'f0' }]);
  });
});

describe('new-terms input', () => {
  it('takes the declarant (else the representative) and each item’s commodity, origin, CPC and supplier, once each', () => {
    const d = Declaration.fromPartial({
      tenantId: 't1',
      declarationId: 'd1',
      version: 1,
      mrn: 'M1',
      acceptanceDate: '2024-05-01',
      importerEori: 'GB1',
      parties: [
        { role: 'representative', id: 'GB2' },
        { role: 'exporter', name: 'Acme' },
      ],
      items: [
        GoodsItem.fromPartial({ itemNumber: 1, commodityCode: '6109100010', originCountry: 'CN', procedureCode: '4000', additionalProcedureCodes: ['000'] }),
        GoodsItem.fromPartial({
          itemNumber: 2,
          commodityCode: '6109100010',
          originCountry: '',
          procedureCode: '4000',
          additionalProcedureCodes: ['000'],
          parties: [{ role: 'seller', id: 'CN9', name: 'S' }],
        }),
      ],
    });
    const input = declarationInput('e1', d);
    expect(input).toMatchObject({ importer: 'GB1', declarant: 'GB2', acceptanceDate: '2024-05-01' });
    expect(input.terms.map((t) => `${t.field}=${t.value}`).sort()).toEqual(['commodity_code=6109100010', 'cpc=4000/000', 'declarant=GB2', 'origin_country=CN', 'supplier=Acme', 'supplier=CN9']);
  });
});

describe('REST view', () => {
  it('shows zero money and empty lists explicitly, and days left as of today', () => {
    const m = new MemoryStore(() => [ar1]);
    const [e] = m.batch([checked('d1', 1, [finding({ findingId: 'f1', severity: Severity.SEVERITY_HIGH, acceptanceDate: '2024-01-15' })])], NOW);
    const j = alertJson(e!.alert, '2026-12-01');
    expect(j).toMatchObject({ exposurePence: 0, reclaimPence: 0, reclaimVatPence: 0, suppressedCount: 0, assignee: '', daysLeft: 45, deadline: '2027-01-15', statusName: 'new', moneyAtStakePence: 0 });
    expect((j.findings as Record<string, unknown>[])[0]).toMatchObject({ findingId: 'f1', exposureDutyPence: 0, withdrawn: false });
    expect(alertJson(e!.alert, '2027-01-20').daysLeft).toBe(-5);
  });
});
