import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { Severity, type Finding } from '@customs/contracts';

/** A validated alert rule (from a Sigma-shaped YAML file). */
export interface AlertRule {
  id: string;
  name: string;
  status: 'stable' | 'test' | 'experimental' | 'deprecated';
  level: 'info' | 'low' | 'medium' | 'high' | 'critical';
  description: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  type: 'finding_match';
  match: { minSeverity?: Severity; maxSeverity?: Severity; families?: string[]; ruleIds?: string[]; orMoneyAtStake?: boolean };
  groupBy: ('declaration_id' | 'rule_id' | 'importer' | 'declarant' | 'item_number')[];
  /** SHA-256 of the file content: stamped on every alert so a rule change is traceable. */
  hash: string;
  source: string;
}

const SEVERITY_BY_NAME: Record<string, Severity> = { info: Severity.SEVERITY_INFO, low: Severity.SEVERITY_LOW, medium: Severity.SEVERITY_MEDIUM, high: Severity.SEVERITY_HIGH, critical: Severity.SEVERITY_CRITICAL };
const GROUP_FIELDS = new Set(['declaration_id', 'rule_id', 'importer', 'declarant', 'item_number']);

/** Parses and validates one rule file; errors name the file and the field. */
export function parseAlertRule(source: string, content: string): AlertRule {
  const fail = (field: string, why: string): never => {
    throw new Error(`${source}: field "${field}" ${why}`);
  };
  let doc: Record<string, unknown>;
  try {
    doc = parse(content, { maxAliasCount: 10 }) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') fail('(root)', 'must be a mapping');
  const str = (k: string) => (typeof doc[k] === 'string' && (doc[k] as string).trim() ? (doc[k] as string).trim() : fail(k, 'is required (text)'));
  const strList = (v: unknown, k: string): string[] => (v === undefined ? [] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : fail(k, 'must be a list of strings'));
  const id = str('id');
  if (!/^AR-\d{3}$/.test(id)) fail('id', 'must look like AR-001');
  const status = str('status');
  if (!['stable', 'test', 'experimental', 'deprecated'].includes(status)) fail('status', 'must be stable, test, experimental or deprecated');
  const level = str('level');
  if (!(level in SEVERITY_BY_NAME)) fail('level', 'must be info, low, medium, high or critical');
  if (doc.type !== 'finding_match') fail('type', 'must be finding_match (the only rule type implemented so far)');
  const m = (doc.match ?? {}) as Record<string, unknown>;
  const sev = (k: string) => (m[k] === undefined ? undefined : SEVERITY_BY_NAME[String(m[k])] ?? fail(`match.${k}`, 'must be a severity name'));
  const groupBy = strList(doc.group_by, 'group_by');
  for (const g of groupBy) if (!GROUP_FIELDS.has(g)) fail('group_by', `has unknown field "${g}"`);
  if (groupBy.length === 0) fail('group_by', 'must name at least one field');
  return {
    id,
    name: str('name'),
    status: status as AlertRule['status'],
    level: level as AlertRule['level'],
    description: str('description'),
    tags: strList(doc.tags, 'tags'),
    references: strList(doc.references, 'references'),
    falsepositives: strList(doc.falsepositives, 'falsepositives'),
    type: 'finding_match',
    match: { minSeverity: sev('min_severity'), maxSeverity: sev('max_severity'), families: m.families === undefined ? undefined : strList(m.families, 'match.families'), ruleIds: m.rule_ids === undefined ? undefined : strList(m.rule_ids, 'match.rule_ids'), orMoneyAtStake: m.or_money_at_stake === true },
    groupBy: groupBy as AlertRule['groupBy'],
    hash: createHash('sha256').update(content).digest('hex'),
    source,
  };
}

function moneyAtStake(f: Finding): number {
  return f.exposureDutyPence + f.exposureVatPence + f.reclaimDutyPence + f.reclaimVatPence;
}

/** Does the rule fire on this finding? */
export function ruleMatches(rule: AlertRule, f: Finding): boolean {
  if (rule.status === 'deprecated') return false;
  const m = rule.match;
  if (m.families && !m.families.includes(f.family)) return false;
  if (m.ruleIds && !m.ruleIds.includes(f.ruleId)) return false;
  if (m.maxSeverity !== undefined && f.severity > m.maxSeverity) return false;
  const severityOk = m.minSeverity === undefined || f.severity >= m.minSeverity;
  return severityOk || (m.orMoneyAtStake === true && moneyAtStake(f) > 0);
}

/** Suppression key: the same key while an alert is open adds to it instead of raising anew. */
export function alertKey(rule: AlertRule, f: Finding): string {
  const parts = rule.groupBy.map((g) => {
    switch (g) {
      case 'declaration_id':
        return f.declarationId;
      case 'rule_id':
        return f.ruleId;
      case 'importer':
        return f.importerEori;
      case 'declarant':
        return f.declarantId;
      case 'item_number':
        return String(f.itemNumber);
    }
  });
  return `${rule.id}|${parts.join('|')}`;
}

/** Severity of an alert raised by the rule: the rule's level, raised to the finding's if higher. */
export function alertSeverity(rule: AlertRule, f: Finding): Severity {
  return Math.max(SEVERITY_BY_NAME[rule.level]!, f.severity) as Severity;
}
