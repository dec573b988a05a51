// Tariff-change alerts (rule type `tariff_change`): a reference dataset change that creates a trade
// remedy (or another measure of a watched role) on a (commodity code, origin) an importer imports,
// or a stop-press notice naming a code it imports, raises an alert for that importer. Pure: the
// change, the importer's imported lanes and the alerts already held in; the alerts to write out.
import { createHash } from 'node:crypto';
import { Alert, AlertStatus as S, type AreaGroup, type StopPressNotice, type TariffChange } from '@customs/contracts';
import { addDays, isoDay } from './deadline';
import { matchingException, type AlertException } from './exceptions';
import { isOpen } from './lifecycle';
import type { AlertEffect, Decision, KeyedAlert, RulesFor } from './model';
import { SEVERITY_BY_LEVEL, type TariffChangeRule } from './rules';

/** A (commodity code, origin) an importer declared, with its latest declaration. */
export interface ImportedLane {
  tenantId: string;
  importer: string;
  /** As declared (8 or 10 digits). */
  commodityCode: string;
  /** ISO country of origin; "" when the declaration did not state it. */
  origin: string;
  /** Acceptance date of the latest declaration of the lane, YYYY-MM-DD. */
  lastDate: string;
  declarationId: string;
  mrn: string;
}

/** reference.dataset.changed.v1, reduced to what tariff-change rules read. */
export interface TariffChangeEvent {
  dataset: string;
  version: string;
  tariffChanges: TariffChange[];
  stopPress: StopPressNotice[];
  areaGroups: AreaGroup[];
  /** Changes left out of tariffChanges by reference (the event is bounded); said in the alert. */
  tariffChangesOmitted: number;
}

export interface TariffChangeState {
  /** Alerts of the keys tariffChangeKeys() named (open ones absorb a repeat). */
  alerts: KeyedAlert[];
  exceptions: AlertException[];
  /** The lanes under the event's codes (tariffChangeCodes()). */
  lanes: ImportedLane[];
}

/** The 8-digit CN prefixes of the codes the event's changes and notices name: lanes to load. */
export function tariffChangeCodes(ev: TariffChangeEvent): string[] {
  const codes = [...ev.tariffChanges.map((c) => c.commodityCode), ...ev.stopPress.flatMap((n) => n.commodityCodes)];
  return [...new Set(codes.map((c) => c.slice(0, 8)).filter((c) => c.length === 8))].sort();
}

/** A declared code (8 or 10 digits) and a tariff code (10 digits) name the same goods when one extends the other. */
export function sameGoods(declared: string, tariff: string): boolean {
  return declared !== '' && tariff !== '' && (tariff.startsWith(declared) || declared.startsWith(tariff));
}

type Coverage = 'yes' | 'no' | 'unknown';

/**
 * Whether a measure's geographical area covers an origin: a country is itself, 1011 (erga omnes)
 * every origin, a group its members as the event states them; an excluded country or member of an
 * excluded group is not covered. A group whose membership reference does not hold is "unknown".
 */
export function coversOrigin(c: Pick<TariffChange, 'geographicalArea' | 'excludedAreas'>, origin: string, groups: ReadonlyMap<string, AreaGroup>): Coverage {
  const member = (area: string): Coverage => {
    if (area === '1011') return 'yes';
    if (/^[A-Z]{2}$/.test(area)) return origin === '' ? 'unknown' : area === origin ? 'yes' : 'no';
    const g = groups.get(area);
    if (!g || !g.known || origin === '') return 'unknown';
    return g.members.includes(origin) ? 'yes' : 'no';
  };
  let covered = member(c.geographicalArea);
  if (covered === 'no') return 'no';
  for (const ex of c.excludedAreas) {
    const m = member(ex);
    if (m === 'yes') return 'no';
    if (m === 'unknown') covered = 'unknown';
  }
  return covered;
}

const ROLE_NAMES: Record<string, string> = {
  trade_remedy: 'trade remedy',
  suspension: 'tariff suspension',
  quota: 'tariff quota',
  preference: 'preference',
  third_country: 'third-country duty',
  vat: 'VAT',
  supplementary_unit: 'supplementary unit',
};

const measureKey = (r: TariffChangeRule, l: ImportedLane, sid: string) => `${r.id}|${l.importer}|${l.commodityCode}|${l.origin}|measure:${sid}`;
const noticeKey = (r: TariffChangeRule, l: ImportedLane, id: string) => `${r.id}|${l.importer}|${l.commodityCode}|notice:${id}`;

/** Whether a change is one the rule alerts on (a measure first seen with its code is the baseline, not a change). */
function watched(r: TariffChangeRule, c: TariffChange, today: string): boolean {
  if (!(r.roles as string[]).includes(c.role) || !(r.changes as string[]).includes(c.change)) return false;
  if (c.change === 'created' && !c.codeHeldBefore) return false;
  // A created or updated measure that has already ended changes nothing an importer pays today.
  return c.change === 'ended' || c.validTo === '' || c.validTo >= today;
}

interface Candidate {
  rule: TariffChangeRule;
  lane: ImportedLane;
  key: string;
  title: string;
  summary: string;
}

function candidates(ev: TariffChangeEvent, lanes: readonly ImportedLane[], rulesFor: RulesFor, now: Date): Candidate[] {
  const today = isoDay(now);
  const groups = new Map(ev.areaGroups.map((g) => [g.groupId, g]));
  const out: Candidate[] = [];
  const byTenant = new Map<string, ImportedLane[]>();
  for (const l of lanes) byTenant.set(l.tenantId, [...(byTenant.get(l.tenantId) ?? []), l]);
  for (const [tenantId, tenantLanes] of byTenant) {
    for (const r of rulesFor(tenantId)) {
      if (r.type !== 'tariff_change') continue;
      const since = addDays(today, -r.lookbackDays);
      const recent = tenantLanes.filter((l) => l.lastDate >= since);
      for (const c of ev.tariffChanges) {
        if (!watched(r, c, today)) continue;
        for (const l of recent) {
          if (!sameGoods(l.commodityCode, c.commodityCode)) continue;
          const cover = coversOrigin(c, l.origin, groups);
          if (cover === 'no') continue;
          const role = ROLE_NAMES[c.role] ?? c.role;
          const origin = l.origin || '(origin not declared)';
          const area = `${c.geographicalArea}${c.excludedAreas.length ? ` excluding ${c.excludedAreas.join(', ')}` : ''}`;
          const validity = `${c.validFrom || '…'} to ${c.validTo || 'open'}`;
          out.push({
            rule: r,
            lane: l,
            key: measureKey(r, l, c.measureSid),
            title: `${r.name}: ${role} ${c.measureType} ${c.change} on ${c.commodityCode} for origin ${origin} (importer ${l.importer})`,
            summary:
              `${role} (measure type ${c.measureType}, SID ${c.measureSid}) ${c.change} on ${c.commodityCode}, area ${area}, "${c.expression}", valid ${validity}, in reference ${ev.dataset}@${ev.version}; ` +
              `importer ${l.importer} declared ${l.commodityCode} from ${origin}, last on ${l.declarationId} (accepted ${l.lastDate})` +
              (cover === 'unknown' ? `; whether the measure covers origin ${origin} is not known (group membership not held), so it may apply` : '') +
              (ev.tariffChangesOmitted ? `; ${ev.tariffChangesOmitted} further change(s) of this dataset were not in the event` : ''),
          });
        }
      }
      if (!r.stopPress) continue;
      for (const n of ev.stopPress) {
        for (const code of n.commodityCodes) {
          for (const l of recent) {
            if (!sameGoods(l.commodityCode, code)) continue;
            // One alert per importer, notice and declared code (whatever the origins).
            if (out.some((o) => o.key === noticeKey(r, l, n.id) && o.lane.tenantId === tenantId)) continue;
            out.push({
              rule: r,
              lane: l,
              key: noticeKey(r, l, n.id),
              title: `${r.name}: stop-press "${n.title.trim()}" names ${code} (importer ${l.importer})`,
              summary: `stop-press notice ${n.id} "${n.title.trim()}" published ${n.published}${n.url ? ` (${n.url})` : ''} names ${code}; importer ${l.importer} declared ${l.commodityCode}, last on ${l.declarationId} (accepted ${l.lastDate})`,
            });
          }
        }
      }
    }
  }
  return out;
}

/** The alert keys decide needs loaded (the open alert of a key absorbs a repeat instead of a new alert). */
export function tariffChangeKeys(ev: TariffChangeEvent, lanes: readonly ImportedLane[], rulesFor: RulesFor, now: Date): { tenantId: string; key: string }[] {
  return candidates(ev, lanes, rulesFor, now).map((c) => ({ tenantId: c.lane.tenantId, key: c.key }));
}

function alertIdFor(tenantId: string, key: string, seed: string): string {
  const h = createHash('sha256').update(`${tenantId}|${key}|${seed}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The alerts a dataset change raises (or absorbs into open ones of the same key). */
export function decideTariffChanges(state: TariffChangeState, ev: TariffChangeEvent, rulesFor: RulesFor, now: Date): Decision {
  const at = now.toISOString();
  const held = new Map<string, KeyedAlert>();
  for (const ka of state.alerts) {
    const k = `${ka.alert.tenantId}|${ka.key}`;
    const cur = held.get(k);
    if (!cur || (!isOpen(cur.alert.status) && isOpen(ka.alert.status))) held.set(k, ka);
  }
  const effects = new Map<string, AlertEffect>();
  for (const c of candidates(ev, state.lanes, rulesFor, now)) {
    const k = `${c.lane.tenantId}|${c.key}`;
    if (effects.has(k)) continue;
    const existing = held.get(k);
    if (existing && isOpen(existing.alert.status)) {
      // The same measure or notice again (a later dataset naming it): counted, nobody paged.
      const a = Alert.fromPartial(existing.alert);
      a.suppressedCount += 1;
      a.lastSeen = at;
      a.updatedAt = at;
      effects.set(k, {
        key: c.key,
        alert: a,
        isNew: false,
        entries: [{ actor: 'system', at, from: a.status, to: a.status, kind: 'absorbed', reason: `absorbed by ${c.rule.id}: ${c.summary}`, notify: false, snapshot: Alert.fromPartial(a) }],
      });
      continue;
    }
    const a = Alert.fromPartial({
      alertId: alertIdFor(c.lane.tenantId, c.key, `${ev.dataset}@${ev.version}`),
      tenantId: c.lane.tenantId,
      alertRuleId: c.rule.id,
      alertRuleHash: c.rule.hash,
      alertRuleType: c.rule.type,
      severity: SEVERITY_BY_LEVEL[c.rule.level],
      status: S.ALERT_STATUS_NEW,
      createdAt: at,
      updatedAt: at,
      firstSeen: at,
      lastSeen: at,
      notifiedAt: at,
      entityType: 'importer',
      entityId: c.lane.importer,
      importerEori: c.lane.importer,
      declarationId: c.lane.declarationId,
      declarationIds: [c.lane.declarationId],
      mrn: c.lane.mrn,
      commodityCodes: [c.lane.commodityCode],
      termField: c.lane.origin ? 'origin_country' : '',
      termValue: c.lane.origin,
      title: c.title,
      summary: c.summary,
    });
    let reason = `raised by ${c.rule.id}: ${c.summary}`;
    const exception = matchingException(state.exceptions, a, now);
    if (exception) {
      a.status = S.ALERT_STATUS_SUPPRESSED;
      a.exceptionId = exception.id;
      a.notifiedAt = '';
      reason = `${reason}; suppressed by exception ${exception.id} (owner ${exception.owner}: ${exception.reason}; until ${exception.expiresAt})`;
    }
    effects.set(k, {
      key: c.key,
      alert: a,
      isNew: true,
      entries: [{ actor: 'system', at, from: S.ALERT_STATUS_UNSPECIFIED, to: a.status, kind: 'raised', reason, notify: !exception, snapshot: Alert.fromPartial(a) }],
    });
  }
  return { alerts: [...effects.values()], terms: [], termChecks: [], importerDeclarations: [], scoreMarks: [] };
}

/** The lanes of a declaration: its items' (commodity code, origin), with the declaration's importer and date. */
export function lanesOf(d: {
  tenantId: string;
  declarationId: string;
  mrn: string;
  lrn: string;
  importerEori: string;
  acceptanceDate: string;
  parties: { role: string; id: string }[];
  items: { commodityCode: string; originCountry: string }[];
}): ImportedLane[] {
  const importer = d.importerEori || d.parties.find((p) => p.role === 'importer')?.id || '';
  if (!importer || !d.acceptanceDate) return [];
  const lanes = new Map<string, ImportedLane>();
  for (const i of d.items) {
    const code = i.commodityCode.replace(/\s/g, '');
    if (!/^\d{8,10}$/.test(code)) continue;
    const origin = i.originCountry.trim().toUpperCase();
    lanes.set(`${code}|${origin}`, { tenantId: d.tenantId, importer, commodityCode: code, origin, lastDate: d.acceptanceDate, declarationId: d.declarationId, mrn: d.mrn || d.lrn });
  }
  return [...lanes.values()];
}
