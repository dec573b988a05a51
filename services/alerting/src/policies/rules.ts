// Alert rules: Sigma-shaped YAML files validated against a JSON Schema (ajv) at load, so a bad
// file stops start-up with its name and the field at fault. Pure: content in, rule out.
import { createHash } from 'node:crypto';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { Severity } from '@customs/contracts';
import { RULE_TYPE_SCHEMAS, headerSchema } from './rule-schema';

export type Level = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type RuleType = 'finding_match' | 'threshold' | 'new_terms' | 'deadline' | 'risk_accumulation' | 'score_change' | 'tariff_change';
export const RULE_TYPES: readonly RuleType[] = ['finding_match', 'threshold', 'new_terms', 'deadline', 'risk_accumulation', 'score_change', 'tariff_change'];

/** Fields of a finding an alert can be grouped by (broker = declarant/representative EORI). */
export type GroupField = 'declaration_id' | 'rule_id' | 'importer' | 'broker' | 'declarant' | 'item_number' | 'supplier' | 'commodity_code' | 'origin_country' | 'cpc' | 'family';
/** Declaration fields whose first appearance for an importer new_terms rules watch. */
export type TermField = 'declarant' | 'commodity_code' | 'origin_country' | 'cpc' | 'supplier';
export type EntityField = 'importer' | 'broker' | 'supplier' | 'commodity_code';

/** Which findings a rule looks at (all optional, combined with AND; or_money_at_stake widens the severity test). */
export interface FindingFilter {
  minSeverity?: Severity;
  maxSeverity?: Severity;
  families?: string[];
  ruleIds?: string[];
  orMoneyAtStake?: boolean;
  /** Only findings with at least this much exposure + reclaim (pence). */
  minPence?: number;
}

interface RuleHeader {
  id: string;
  name: string;
  status: 'stable' | 'test' | 'experimental' | 'deprecated';
  level: Level;
  description: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  /** Notification throttle: repeats absorbed within this many minutes of the last notification do not notify. */
  throttleMinutes: number;
  /** SHA-256 of the file content: stamped on every alert so a rule change is traceable. */
  hash: string;
  source: string;
}

export interface FindingMatchRule extends RuleHeader {
  type: 'finding_match';
  match: FindingFilter;
  groupBy: GroupField[];
}
export interface ThresholdRule extends RuleHeader {
  type: 'threshold';
  match: FindingFilter;
  groupBy: GroupField[];
  /** count of findings, or money in pence: exposure + reclaim, exposure only, reclaim only. */
  measure: 'count' | 'money_at_stake' | 'exposure' | 'reclaim';
  atLeast: number;
  windowDays: number;
}
export interface NewTermsRule extends RuleHeader {
  type: 'new_terms';
  fields: TermField[];
  /** The importer must have declarations at least this many days before the one with the term. */
  historyDays: number;
  /** …and at least this many declarations seen before it, so a bulk backfill does not call everything new. */
  minHistoryDeclarations: number;
  /** Ignore a declarant who is the importer itself (self-representation). */
  ignoreSelf: boolean;
}
export interface DeadlineBand {
  days: number;
  level: Level;
}
export interface DeadlineRule extends RuleHeader {
  type: 'deadline';
  measure: 'reclaim' | 'exposure';
  minPence: number;
  /** Sorted widest first, e.g. 180 medium, 90 high, 30 critical. */
  bands: DeadlineBand[];
  /** Money time-barred at most this many days ago when it arrives is recorded as an `expired` alert (0 = ignore). */
  passedWithinDays: number;
}
export interface RiskAccumulationRule extends RuleHeader {
  type: 'risk_accumulation';
  match: FindingFilter;
  entity: EntityField;
  windowDays: number;
  points: Record<Level, number>;
  /** Most points one validation rule (C-number) may add per entity and window. */
  perRuleCap: number;
  /** Fire when the capped total reaches this (0 = off)… */
  fireAtPoints: number;
  /** …or when this many distinct rule families hit the entity in the window (0 = off). */
  fireAtFamilies: number;
}
export interface ScoreChangeRule extends RuleHeader {
  type: 'score_change';
  entityTypes: ('broker' | 'importer')[];
  /** Fire when the score falls this many points below its high-water mark. */
  dropPoints: number;
}
/** Measure roles of reference.dataset.changed.v1 tariff changes (services/reference/README.md). */
export type MeasureRole = 'trade_remedy' | 'suspension' | 'quota' | 'preference' | 'third_country' | 'vat' | 'supplementary_unit';
export interface TariffChangeRule extends RuleHeader {
  type: 'tariff_change';
  /** Which changed measures alert, by role, and by kind of change (relative to what reference held). */
  roles: MeasureRole[];
  changes: ('created' | 'updated' | 'ended')[];
  /** Also alert on stop-press notices naming a code the importer imports. */
  stopPress: boolean;
  /** The importer must have declared the (code, origin) within this many days before the change. */
  lookbackDays: number;
}
export type AlertRule = FindingMatchRule | ThresholdRule | NewTermsRule | DeadlineRule | RiskAccumulationRule | ScoreChangeRule | TariffChangeRule;

export const SEVERITY_BY_LEVEL: Record<Level, Severity> = {
  info: Severity.SEVERITY_INFO,
  low: Severity.SEVERITY_LOW,
  medium: Severity.SEVERITY_MEDIUM,
  high: Severity.SEVERITY_HIGH,
  critical: Severity.SEVERITY_CRITICAL,
};

const ajv = new Ajv({ allErrors: false, strict: true, useDefaults: false });
const validateHeader = ajv.compile(headerSchema);
const validators = Object.fromEntries(Object.entries(RULE_TYPE_SCHEMAS).map(([t, s]) => [t, ajv.compile(s)])) as Record<RuleType, ReturnType<typeof ajv.compile>>;

/** "AR-003.yaml: field "window_days" must be >= 1" from an ajv error. */
function describe(source: string, e: ErrorObject): string {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') return `${source}: field "${base ? `${base}.` : ''}${(e.params as { missingProperty: string }).missingProperty}" is required`;
  if (e.keyword === 'additionalProperties') return `${source}: field "${base ? `${base}.` : ''}${(e.params as { additionalProperty: string }).additionalProperty}" is not a known field`;
  if (e.keyword === 'enum') return `${source}: field "${base || '(root)'}" must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${source}: field "${base || '(root)'}" ${e.message ?? 'is invalid'}`;
}

function filterOf(m: Record<string, unknown> | undefined): FindingFilter {
  if (!m) return {};
  const sev = (v: unknown) => (v === undefined ? undefined : SEVERITY_BY_LEVEL[v as Level]);
  return {
    minSeverity: sev(m.min_severity),
    maxSeverity: sev(m.max_severity),
    families: m.families as string[] | undefined,
    ruleIds: m.rule_ids as string[] | undefined,
    orMoneyAtStake: m.or_money_at_stake === true,
    minPence: m.min_pence as number | undefined,
  };
}

/** Parses and validates one rule file; errors name the file and the field. */
export function parseAlertRule(source: string, content: string): AlertRule {
  let doc: Record<string, unknown>;
  try {
    doc = parse(content, { maxAliasCount: 10 }) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  if (!validateHeader(doc)) throw new Error(describe(source, validateHeader.errors![0]!));
  const type = doc.type as RuleType;
  const v = validators[type];
  if (!v(doc)) throw new Error(describe(source, v.errors![0]!));
  const header: RuleHeader = {
    id: doc.id as string,
    name: (doc.name as string).trim(),
    status: doc.status as RuleHeader['status'],
    level: doc.level as Level,
    description: (doc.description as string).trim(),
    tags: (doc.tags as string[]) ?? [],
    references: (doc.references as string[]) ?? [],
    falsepositives: (doc.falsepositives as string[]) ?? [],
    throttleMinutes: (doc.throttle_minutes as number | undefined) ?? 60,
    hash: createHash('sha256').update(content).digest('hex'),
    source,
  };
  switch (type) {
    case 'finding_match':
      return { ...header, type, match: filterOf(doc.match as Record<string, unknown>), groupBy: doc.group_by as GroupField[] };
    case 'threshold':
      return {
        ...header,
        type,
        match: filterOf(doc.match as Record<string, unknown>),
        groupBy: doc.group_by as GroupField[],
        measure: doc.measure as ThresholdRule['measure'],
        atLeast: doc.at_least as number,
        windowDays: doc.window_days as number,
      };
    case 'new_terms':
      return {
        ...header,
        type,
        fields: doc.fields as TermField[],
        historyDays: doc.history_days as number,
        minHistoryDeclarations: (doc.min_history_declarations as number | undefined) ?? 1,
        ignoreSelf: doc.ignore_self !== false,
      };
    case 'deadline': {
      const bands = (doc.bands as { days: number; level: Level }[]).map((b) => ({ days: b.days, level: b.level })).sort((a, b) => b.days - a.days);
      return {
        ...header,
        type,
        measure: doc.measure as DeadlineRule['measure'],
        minPence: (doc.min_pence as number | undefined) ?? 0,
        bands,
        passedWithinDays: (doc.passed_within_days as number | undefined) ?? 0,
      };
    }
    case 'risk_accumulation': {
      const p = doc.points as Partial<Record<Level, number>>;
      return {
        ...header,
        type,
        match: filterOf(doc.match as Record<string, unknown>),
        entity: doc.entity as EntityField,
        windowDays: doc.window_days as number,
        points: { info: p.info ?? 0, low: p.low ?? 0, medium: p.medium ?? 0, high: p.high ?? 0, critical: p.critical ?? 0 },
        perRuleCap: doc.per_rule_cap as number,
        fireAtPoints: (doc.fire_at_points as number | undefined) ?? 0,
        fireAtFamilies: (doc.fire_at_families as number | undefined) ?? 0,
      };
    }
    case 'score_change':
      return { ...header, type, entityTypes: doc.entity_types as ScoreChangeRule['entityTypes'], dropPoints: doc.drop_points as number };
    case 'tariff_change':
      return {
        ...header,
        type,
        roles: doc.roles as MeasureRole[],
        changes: (doc.changes as TariffChangeRule['changes'] | undefined) ?? ['created'],
        stopPress: doc.stop_press === true,
        lookbackDays: doc.lookback_days as number,
      };
  }
}

/** Checks a set of rules loaded together: ids are unique. */
export function checkRuleSet(rules: readonly AlertRule[]): void {
  const ids = new Map<string, string>();
  for (const r of rules) {
    const other = ids.get(r.id);
    if (other) throw new Error(`${r.source}: duplicate alert rule id ${r.id} (also in ${other})`);
    ids.set(r.id, r.source);
  }
}

// ---- Tenant settings: enable/disable and tune thresholds without editing files ----

/** What a tenant may tune per rule type (API field → rule property). */
export const TUNABLE: Record<RuleType, Record<string, { prop: string; min: number; max: number }>> = {
  finding_match: {},
  threshold: { at_least: { prop: 'atLeast', min: 1, max: 1e13 }, window_days: { prop: 'windowDays', min: 1, max: 1096 } },
  new_terms: { history_days: { prop: 'historyDays', min: 0, max: 1096 }, min_history_declarations: { prop: 'minHistoryDeclarations', min: 0, max: 100000 } },
  deadline: { min_pence: { prop: 'minPence', min: 0, max: 1e13 }, passed_within_days: { prop: 'passedWithinDays', min: 0, max: 1096 } },
  risk_accumulation: {
    fire_at_points: { prop: 'fireAtPoints', min: 0, max: 1e6 },
    fire_at_families: { prop: 'fireAtFamilies', min: 0, max: 20 },
    window_days: { prop: 'windowDays', min: 1, max: 1096 },
    per_rule_cap: { prop: 'perRuleCap', min: 0, max: 1e6 },
  },
  score_change: { drop_points: { prop: 'dropPoints', min: 1, max: 100 } },
  tariff_change: { lookback_days: { prop: 'lookbackDays', min: 1, max: 1096 } },
};

/** A tenant's setting of one rule (stored per tenant, audited). */
export interface RuleSetting {
  enabled: boolean;
  params: Record<string, number>;
}

/** Refuses unknown or out-of-range parameters, naming them; returns undefined when valid. */
export function checkRuleSetting(rule: AlertRule, s: RuleSetting): string | undefined {
  const allowed = TUNABLE[rule.type];
  for (const [k, v] of Object.entries(s.params)) {
    const t = allowed[k];
    if (!t) return `${rule.id} (${rule.type}) has no tunable parameter "${k}"${Object.keys(allowed).length ? `; it has ${Object.keys(allowed).join(', ')}` : ''}`;
    if (!Number.isInteger(v) || v < t.min || v > t.max) return `${rule.id}: "${k}" must be a whole number from ${t.min} to ${t.max}`;
  }
  return undefined;
}

/** The rule as a tenant runs it: disabled → undefined; tuned parameters applied; hash kept (the file's). */
export function effectiveRule(rule: AlertRule, s: RuleSetting | undefined): AlertRule | undefined {
  if (rule.status === 'deprecated') return undefined;
  if (!s) return rule;
  if (!s.enabled) return undefined;
  const out = { ...rule } as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(s.params)) {
    const t = TUNABLE[rule.type][k];
    if (t) out[t.prop] = v;
  }
  return out as unknown as AlertRule;
}

/** Every rule a tenant runs, with its settings applied. */
export function rulesForTenant(rules: readonly AlertRule[], settings: ReadonlyMap<string, RuleSetting> | undefined): AlertRule[] {
  return rules.map((r) => effectiveRule(r, settings?.get(r.id))).filter((r): r is AlertRule => r !== undefined);
}
