// Rule fixtures (rules/fixtures/*.yaml): cases that must fire and cases that must stay silent,
// as steps of inputs at a given `now`. Compact series keep a "five in a week" case readable.
import { type Finding, Severity } from '@customs/contracts';
import { parse } from 'yaml';
import { addDays } from '../deadline';
import type { Input, Term } from '../model';
import { SEVERITY_BY_LEVEL, type Level, type TermField } from '../rules';
import { finding } from './memory';

type Raw = Record<string, unknown>;

export interface FixtureStep {
  now: Date;
  inputs: Input[];
  tick: boolean;
}
export interface FixtureCase {
  name: string;
  steps: FixtureStep[];
  /** Fields the rule's (first) alert must have after the steps (fire cases). */
  expect?: Raw;
  /** How many alerts of the rule (default: at least 1 for fire, 0 for silent). */
  alerts?: number;
}
export interface RuleFixtures {
  rule: string;
  fire: FixtureCase[];
  silent: FixtureCase[];
}

function findingOf(raw: Raw, declarationId: string, i: number, tenantId: string): Finding {
  const sev = raw.severity ? SEVERITY_BY_LEVEL[raw.severity as Level] : Severity.SEVERITY_MEDIUM;
  const ruleId = (raw.ruleId as string) ?? 'C09';
  return finding({ ...(raw as Partial<Finding>), tenantId, declarationId, severity: sev, ruleId, findingId: (raw.findingId as string) ?? `${declarationId}-${ruleId}-${i}` });
}

function checkedOf(raw: Raw, tenantId: string): Input {
  const declarationId = raw.declaration as string;
  const findings = ((raw.findings as Raw[]) ?? []).map((f, i) => findingOf({ acceptanceDate: raw.acceptanceDate, ...f }, declarationId, i, tenantId));
  return {
    kind: 'checked',
    eventId: `checked/${declarationId}/${raw.version ?? 1}`,
    tenantId,
    declarationId,
    version: (raw.version as number) ?? 1,
    findings,
    supersededIds: (raw.superseded as string[]) ?? [],
  };
}

function declarationOf(raw: Raw, tenantId: string): Input {
  const terms: Term[] = [];
  for (const f of ['declarant', 'commodity_code', 'origin_country', 'cpc', 'supplier'] as TermField[]) if (raw[f]) terms.push({ field: f, value: String(raw[f]) });
  return {
    kind: 'declaration',
    eventId: `decl/${raw.declaration}`,
    tenantId,
    declarationId: raw.declaration as string,
    version: (raw.version as number) ?? 1,
    mrn: '',
    importer: (raw.importer as string) ?? 'GB100000000001',
    declarant: (raw.declarant as string) ?? '',
    acceptanceDate: raw.acceptanceDate as string,
    terms,
  };
}

function stepOf(raw: Raw): FixtureStep {
  const tenantId = (raw.tenant as string) ?? 't1';
  const inputs: Input[] = [];
  for (const c of (raw.checked as Raw[]) ?? []) inputs.push(checkedOf(c, tenantId));
  // series: `count` declarations `every_days` apart from `start`, each with the same findings.
  for (const s of (raw.checked_series as Raw[]) ?? []) {
    for (let i = 0; i < (s.count as number); i++) {
      const date = addDays(s.start as string, i * ((s.every_days as number) ?? 1));
      inputs.push(checkedOf({ declaration: `${s.prefix ?? 'd'}${i}`, acceptanceDate: date, findings: s.findings }, tenantId));
    }
  }
  for (const d of (raw.declarations as Raw[]) ?? []) inputs.push(declarationOf(d, tenantId));
  for (const s of (raw.declaration_series as Raw[]) ?? []) {
    for (let i = 0; i < (s.count as number); i++)
      inputs.push(declarationOf({ ...s, declaration: `${s.prefix ?? 'h'}${i}`, acceptanceDate: addDays(s.start as string, i * ((s.every_days as number) ?? 1)) }, tenantId));
  }
  for (const s of (raw.scores as Raw[]) ?? [])
    inputs.push({
      kind: 'score',
      eventId: `score/${inputs.length}/${s.entityId}/${s.score}`,
      tenantId,
      entityType: s.entityType as string,
      entityId: s.entityId as string,
      score: s.score as number,
      previousScore: (s.previousScore as number) ?? 0,
    });
  return { now: new Date(String(raw.now ?? '2026-12-01T00:00:00Z')), inputs, tick: raw.tick === true };
}

function caseOf(raw: Raw): FixtureCase {
  return { name: raw.name as string, steps: ((raw.steps as Raw[]) ?? []).map(stepOf), expect: raw.expect as Raw | undefined, alerts: raw.alerts as number | undefined };
}

export function parseFixtures(content: string): RuleFixtures {
  const doc = parse(content) as Raw;
  return { rule: doc.rule as string, fire: ((doc.fire as Raw[]) ?? []).map(caseOf), silent: ((doc.silent as Raw[]) ?? []).map(caseOf) };
}
