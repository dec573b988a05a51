import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlertStatus, AreaGroup, StopPressNotice, TariffChange } from '@customs/contracts';
import { parse } from 'yaml';
import { loadAlertRules } from '../rule-files';
import type { RulesFor } from './model';
import { coversOrigin, decideTariffChanges, lanesOf, sameGoods, tariffChangeCodes, tariffChangeKeys, type ImportedLane, type TariffChangeEvent } from './tariff-change';
import { alertJson } from './view';

const rulesDir = path.resolve(__dirname, '../../rules');
const rules = loadAlertRules(rulesDir).filter((r) => r.type === 'tariff_change');

interface Case {
  name: string;
  change: { tariffChanges?: Partial<TariffChange>[]; stopPress?: Partial<StopPressNotice>[]; areaGroups?: Partial<AreaGroup>[] };
  alerts?: number;
  expect?: Record<string, unknown>;
}

const event = (c: Case['change']): TariffChangeEvent => ({
  dataset: 'ott-measures',
  version: 'ott-api-2025-07-16@fixture',
  tariffChanges: (c.tariffChanges ?? []).map((t) => TariffChange.fromPartial({ ...t, validFrom: String(t.validFrom ?? ''), validTo: String(t.validTo ?? '') })),
  stopPress: (c.stopPress ?? []).map((n) => StopPressNotice.fromPartial({ ...n, published: String(n.published ?? '') })),
  areaGroups: (c.areaGroups ?? []).map((g) => AreaGroup.fromPartial(g)),
  tariffChangesOmitted: 0,
});

describe('tariff_change rules (AR-018 and any other of the type)', () => {
  it('every tariff_change rule fires on its fixtures and stays silent on its clean cases', () => {
    expect(rules.map((r) => r.id)).toContain('AR-018');
    const failures: string[] = [];
    for (const rule of rules) {
      const fx = parse(fs.readFileSync(path.join(rulesDir, 'fixtures', `${rule.id}.yaml`), 'utf8')) as { rule: string; now: string; lanes: ImportedLane[]; fire: Case[]; silent: Case[] };
      expect(fx.rule).toBe(rule.id);
      expect(fx.fire.length).toBeGreaterThan(0);
      expect(fx.silent.length).toBeGreaterThan(0);
      const now = new Date(fx.now);
      const lanes = fx.lanes.map((l) => ({ ...l, lastDate: String(l.lastDate) }));
      const rulesFor: RulesFor = () => [rule];
      const run = (c: Case) => decideTariffChanges({ alerts: [], exceptions: [], lanes }, event(c.change), rulesFor, now).alerts;
      for (const c of fx.fire) {
        const raised = run(c);
        if (c.alerts !== undefined ? raised.length !== c.alerts : raised.length === 0) failures.push(`${rule.id} must fire: "${c.name}" raised ${raised.length}, expected ${c.alerts ?? '≥ 1'}`);
        const shown = raised[0] ? (alertJson(raised[0].alert, '2025-07-20') as unknown as Record<string, unknown>) : {};
        for (const [k, v] of Object.entries(c.expect ?? {}))
          if (JSON.stringify(shown[k]) !== JSON.stringify(v)) failures.push(`${rule.id} "${c.name}": ${k} is ${JSON.stringify(shown[k])}, expected ${JSON.stringify(v)}`);
      }
      for (const c of fx.silent) {
        const raised = run(c);
        if (raised.length) failures.push(`${rule.id} must stay silent: "${c.name}" raised ${raised.map((a) => a.alert.title).join(' | ')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  const rule = rules.find((r) => r.id === 'AR-018')!;
  const rulesFor: RulesFor = () => [rule];
  const now = new Date('2025-07-20T08:00:00Z');
  const lane: ImportedLane = { tenantId: 't1', importer: 'GB100000000001', commodityCode: '2924297099', origin: 'CN', lastDate: '2025-06-30', declarationId: 'd-cn', mrn: '25GB0000000000CN1' };
  const remedy = event({
    tariffChanges: [
      {
        commodityCode: '2924297099',
        geographicalArea: 'CN',
        measureType: '552',
        change: 'created',
        validFrom: '2025-07-16',
        expression: '22.1 %',
        measureSid: '-1',
        role: 'trade_remedy',
        codeHeldBefore: true,
      },
    ],
  });

  it('raises one alert naming the measure, area, lane and dataset; a repeat absorbs into the open alert without paging', () => {
    const first = decideTariffChanges({ alerts: [], exceptions: [], lanes: [lane] }, remedy, rulesFor, now);
    expect(first.alerts).toHaveLength(1);
    const a = first.alerts[0]!;
    expect(a).toMatchObject({ isNew: true, key: 'AR-018|GB100000000001|2924297099|CN|measure:-1' });
    expect(a.alert).toMatchObject({ alertRuleId: 'AR-018', alertRuleType: 'tariff_change', status: AlertStatus.ALERT_STATUS_NEW, entityType: 'importer', importerEori: 'GB100000000001' });
    expect(a.alert.title).toBe('Tariff change on an imported lane: trade remedy 552 created on 2924297099 for origin CN (importer GB100000000001)');
    expect(a.alert.summary).toContain('"22.1 %", valid 2025-07-16 to open, in reference ott-measures@ott-api-2025-07-16@fixture');
    expect(a.entries.map((e) => [e.kind, e.notify])).toEqual([['raised', true]]);
    expect(tariffChangeKeys(remedy, [lane], rulesFor, now)).toEqual([{ tenantId: 't1', key: a.key }]);

    const again = decideTariffChanges({ alerts: [{ key: a.key, alert: a.alert }], exceptions: [], lanes: [lane] }, remedy, rulesFor, now);
    expect(again.alerts.map((e) => [e.isNew, e.alert.alertId, e.alert.suppressedCount, e.entries[0]!.kind, e.entries[0]!.notify])).toEqual([[false, a.alert.alertId, 1, 'absorbed', false]]);
  });

  it('an exception covering the importer raises it suppressed, naming the exception', () => {
    const exceptions = [
      {
        id: 'ex-1',
        tenantId: 't1',
        scope: { importer: 'GB100000000001' },
        owner: 'ops',
        reason: 'remedy exempt supplier',
        expiresAt: '2026-01-01T00:00:00Z',
        createdBy: 'admin',
        createdAt: '2025-07-01T00:00:00Z',
      },
    ];
    const [a] = decideTariffChanges({ alerts: [], exceptions, lanes: [lane] }, remedy, rulesFor, now).alerts;
    expect(a!.alert).toMatchObject({ status: AlertStatus.ALERT_STATUS_SUPPRESSED, exceptionId: 'ex-1' });
    expect(a!.entries[0]!.notify).toBe(false);
  });

  it('a tenant that disabled the rule gets nothing', () => {
    expect(decideTariffChanges({ alerts: [], exceptions: [], lanes: [lane] }, remedy, () => [], now).alerts).toEqual([]);
  });

  it('origin coverage: country, erga omnes with exclusions, groups known and unknown', () => {
    const groups = new Map([['1013', AreaGroup.fromPartial({ groupId: '1013', known: true, members: ['FR', 'DE'] })]]);
    expect(coversOrigin({ geographicalArea: 'CN', excludedAreas: [] }, 'CN', groups)).toBe('yes');
    expect(coversOrigin({ geographicalArea: 'CN', excludedAreas: [] }, 'US', groups)).toBe('no');
    expect(coversOrigin({ geographicalArea: '1011', excludedAreas: ['US'] }, 'US', groups)).toBe('no');
    expect(coversOrigin({ geographicalArea: '1011', excludedAreas: ['1013'] }, 'FR', groups)).toBe('no');
    expect(coversOrigin({ geographicalArea: '1011', excludedAreas: ['1013'] }, 'CN', groups)).toBe('yes');
    expect(coversOrigin({ geographicalArea: '1013', excludedAreas: [] }, 'DE', groups)).toBe('yes');
    expect(coversOrigin({ geographicalArea: '2005', excludedAreas: [] }, 'DE', groups)).toBe('unknown');
    expect(coversOrigin({ geographicalArea: '1011', excludedAreas: ['2005'] }, 'DE', groups)).toBe('unknown');
    expect(coversOrigin({ geographicalArea: 'CN', excludedAreas: [] }, '', groups)).toBe('unknown');
  });

  it('matches declared 8-digit codes to 10-digit tariff codes; lanes come from a declaration', () => {
    expect(sameGoods('29242970', '2924297099')).toBe(true);
    expect(sameGoods('2924297010', '2924297099')).toBe(false);
    expect(tariffChangeCodes(event({ tariffChanges: [{ commodityCode: '2924297099' }], stopPress: [{ commodityCodes: ['0101210000', '2924297010'] }] }))).toEqual(['01012100', '29242970']);
    const lanes = lanesOf({
      tenantId: 't1',
      declarationId: 'd1',
      mrn: '',
      lrn: 'L1',
      importerEori: '',
      acceptanceDate: '2025-07-01',
      parties: [{ role: 'importer', id: 'GB1' }],
      items: [
        { commodityCode: '2924 2970 99', originCountry: 'cn' },
        { commodityCode: '2924297099', originCountry: 'CN' },
        { commodityCode: '', originCountry: 'US' },
      ],
    });
    expect(lanes).toEqual([{ tenantId: 't1', importer: 'GB1', commodityCode: '2924297099', origin: 'CN', lastDate: '2025-07-01', declarationId: 'd1', mrn: 'L1' }]);
  });
});
