import { createHash } from 'node:crypto';
import { Finding, type Declaration } from '@customs/contracts';
import { daysLeft, statutoryDeadline } from '@customs/legal-clock';
import type { CodeListName, ReferenceNeeds, ReferenceView, Rule } from './types';

// The legal clock (acceptance date + 3 years, days left) is the platform's one definition
// (@customs/legal-clock); re-exported for the routes that show days left.
export { daysLeft, statutoryDeadline };

/** Deterministic finding id: the same rule version on the same declaration version → same id. */
export function findingId(tenantId: string, declarationId: string, version: number, itemNumber: number, ruleId: string, ruleVersion: string, seq: number, evaluation = ''): string {
  // `evaluation` only salts the id when a re-evaluation changes a finding's content, so an
  // unchanged finding keeps its id across re-evaluations and a changed one gets a new id.
  const h = createHash('sha256')
    .update(`${tenantId}|${declarationId}|${version}|${itemNumber}|${ruleId}|${ruleVersion}|${seq}${evaluation ? `|${evaluation}` : ''}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The importer and declarant ids used for grouping (scores, alerts). */
export function partiesOf(d: Declaration): { importer: string; declarant: string } {
  const find = (role: string) => d.parties.find((p) => p.role === role)?.id ?? '';
  return { importer: d.importerEori || find('importer'), declarant: find('declarant') || find('representative') };
}

const SUPPLIER_ROLES = ['seller', 'exporter', 'consignor'];

/**
 * The goods item's context carried on its findings (commodity code, origin, CPC, supplier), so
 * alerting can group by them without the declaration; header-level findings (item 0) carry none.
 */
export function itemContext(d: Declaration, itemNumber: number): { commodityCode: string; originCountry: string; cpc: string; supplier: string } {
  const item = itemNumber > 0 ? d.items.find((i) => i.itemNumber === itemNumber) : undefined;
  if (!item) return { commodityCode: '', originCountry: '', cpc: '', supplier: '' };
  const party = (parties: readonly { role: string; id: string; name: string }[]) => {
    for (const role of SUPPLIER_ROLES) {
      const p = parties.find((x) => x.role === role && (x.id || x.name));
      if (p) return p.id || p.name;
    }
    return '';
  };
  const apc = item.additionalProcedureCodes[0];
  return {
    commodityCode: item.commodityCode,
    originCountry: item.originCountry,
    cpc: item.procedureCode ? `${item.procedureCode}${apc ? `/${apc}` : ''}` : '',
    supplier: party(item.parties) || party(d.parties),
  };
}

/**
 * "Not checked, because …": a rule that could not decide. `failed`: it threw, so nothing it
 * would have said is known for the whole declaration (its earlier findings are kept). `not_checked`:
 * it ran but could not decide on one item (0 = the declaration) — a missing measure, field or
 * unsupported procedure — and said so; its findings on the rest stand.
 */
export interface UndecidedRule {
  ruleId: string;
  ruleVersion: string;
  reason: string;
  cause: 'failed' | 'not_checked';
  itemNumber: number;
}

const undecidedOf = (rule: Rule, step: string, e: unknown): UndecidedRule => ({
  ruleId: rule.meta.id,
  ruleVersion: rule.meta.version,
  reason: `rule ${rule.meta.id} could not decide (${step} failed: ${e instanceof Error ? e.message : String(e)})`,
  cause: 'failed',
  itemNumber: 0,
});

/**
 * Runs every rule on one declaration version and returns priced, dated findings. Pure: the
 * caller passes reference facts, the evaluation date and the time stamp to record.
 *
 * With `undecided`, a rule that throws is recorded there and the other rules still run: one
 * rule's bug on odd data must not leave the whole declaration unchecked. Without it (tests,
 * benches) the error propagates, so a failing rule is never mistaken for "no finding".
 */
export function evaluateDeclaration(
  rules: readonly Rule[],
  declaration: Declaration,
  reference: ReferenceView,
  today: string,
  raisedAt: string,
  referenceVersions: Record<string, string>,
  undecided?: UndecidedRule[],
): Finding[] {
  const out: Finding[] = [];
  const { importer, declarant } = partiesOf(declaration);
  const deadline = statutoryDeadline(declaration.acceptanceDate);
  for (const rule of rules) {
    let hits: ReturnType<Rule['evaluate']>;
    const unknown: UndecidedRule[] = [];
    // One record per rule, item and reason: a rule may report the same gap from several lines.
    const notChecked = (itemNumber: number, reason: string) => {
      if (!unknown.some((u) => u.itemNumber === itemNumber && u.reason === reason)) unknown.push({ ruleId: rule.meta.id, ruleVersion: rule.meta.version, reason, cause: 'not_checked', itemNumber });
    };
    try {
      hits = rule.evaluate({ declaration, reference, today, notChecked });
    } catch (e) {
      if (!undecided) throw e;
      undecided.push(undecidedOf(rule, 'evaluate', e));
      continue;
    }
    undecided?.push(...unknown);
    const seqByItem = new Map<number, number>();
    for (const hit of hits) {
      const seq = seqByItem.get(hit.itemNumber) ?? 0;
      seqByItem.set(hit.itemNumber, seq + 1);
      out.push(
        Finding.fromPartial({
          findingId: findingId(declaration.tenantId, declaration.declarationId, declaration.version, hit.itemNumber, rule.meta.id, rule.meta.version, seq),
          tenantId: declaration.tenantId,
          declarationId: declaration.declarationId,
          declarationVersion: declaration.version,
          mrn: declaration.mrn,
          lrn: declaration.lrn,
          itemNumber: hit.itemNumber,
          ruleId: rule.meta.id,
          ruleVersion: rule.meta.version,
          title: rule.meta.title,
          family: rule.meta.family,
          severity: hit.severity,
          exposureDutyPence: hit.exposureDutyPence ?? 0,
          exposureVatPence: hit.exposureVatPence ?? 0,
          reclaimDutyPence: hit.reclaimDutyPence ?? 0,
          reclaimVatPence: hit.reclaimVatPence ?? 0,
          acceptanceDate: declaration.acceptanceDate,
          deadline,
          evidence: hit.evidence,
          explanation: hit.explanation,
          remediation: hit.remediation,
          correctionRoute: rule.meta.correctionRoute,
          referenceVersions,
          source: 'validation',
          raisedAt,
          importerEori: importer,
          declarantId: declarant,
          ...itemContext(declaration, hit.itemNumber),
        }),
      );
    }
  }
  return out;
}

/**
 * The reference lookups all rules need for a set of declarations (deduplicated). With
 * `undecided`, a rule whose needs() throws is recorded there (once) and asks nothing more; the
 * caller must then not evaluate it (its facts were never fetched). Without it the error propagates.
 */
export function referenceNeeds(rules: readonly Rule[], declarations: readonly Declaration[], undecided?: UndecidedRule[]): Required<ReferenceNeeds> {
  const commodities = new Map<string, { code: string; date: string }>();
  const fx = new Map<string, { currency: string; date: string }>();
  const rates = new Map<string, { code: string; origin: string; date: string }>();
  const codeLists = new Map<string, { list: CodeListName; code: string; date: string }>();
  for (const d of declarations) {
    for (const item of d.items) {
      for (const r of rules) {
        let n: ReferenceNeeds | undefined;
        try {
          n = r.needs?.(d, item);
        } catch (e) {
          if (!undecided) throw e;
          if (!undecided.some((u) => u.ruleId === r.meta.id)) undecided.push(undecidedOf(r, 'needs', e));
          continue;
        }
        if (!n) continue;
        for (const c of n.commodities ?? []) commodities.set(`${c.code}|${c.date}`, c);
        for (const f of n.fx ?? []) fx.set(`${f.currency}|${f.date}`, f);
        for (const q of n.rates ?? []) rates.set(`${q.code}|${q.origin}|${q.date}`, q);
        for (const q of n.codeLists ?? []) codeLists.set(`${q.list}|${q.code}|${q.date}`, q);
      }
    }
  }
  return { commodities: [...commodities.values()], fx: [...fx.values()], rates: [...rates.values()], codeLists: [...codeLists.values()] };
}

/** Identifies the rule set by its ids and versions; a change triggers re-evaluation. */
export function ruleSetFingerprint(rules: readonly Rule[]): string {
  return createHash('sha256')
    .update(rules.map((r) => `${r.meta.id}@${r.meta.version}`).join(','))
    .digest('hex')
    .slice(0, 16);
}
