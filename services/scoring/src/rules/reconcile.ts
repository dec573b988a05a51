import { createHash } from 'node:crypto';
import { Finding } from '@customs/contracts';
import { HISTORY_RULESET, RECONCILIATION_RULES } from './index';
import { statutoryDeadline } from '@customs/legal-clock';
import { mrnSubject, receiptSubject, type ReconHit, type ReconInput, type ReconciliationRule } from './reconciliation-types';

/** Deterministic id: the same verdict (rule version, subject, digest of what it rests on) → the same id, so a re-judgement that changes nothing raises nothing. */
export function reconciliationFindingId(tenant: string, subject: string, version: number, item: number, ruleId: string, ruleVersion: string, digest: string): string {
  const h = createHash('sha256').update(`scoring-recon|${tenant}|${subject}|${version}|${item}|${ruleId}|${ruleVersion}|${digest}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface ReconDecision {
  findings: Finding[];
  /** Per rule, every subject judged: its active findings not among `findings` are superseded. */
  judged: Record<string, string[]>;
}

/**
 * Runs the reconciliation checks (C03, C42) and stamps their hits as findings of the same shape
 * as every history finding. Pure: the caller passes the day and the time to record.
 */
export function decideReconciliation(input: ReconInput, tenant: string, today: string, raisedAt: string, rules: readonly ReconciliationRule[] = RECONCILIATION_RULES): ReconDecision {
  const findings = new Map<string, Finding>();
  const judged: Record<string, string[]> = {};
  for (const rule of rules) {
    for (const hit of rule.reconcile(input, today)) {
      const f = stamp(rule, hit, tenant, raisedAt);
      if (!findings.has(f.findingId)) findings.set(f.findingId, f);
    }
    const subjects = new Set<string>();
    if (rule.meta.id === 'C03') {
      for (const d of input.declarations) subjects.add(d.d);
      for (const r of input.receipts) subjects.add(receiptSubject(r.id));
    } else {
      const mrns = new Set(input.mrns);
      for (const m of mrns) subjects.add(mrnSubject(m));
      for (const d of input.candidates.declarations) if (mrns.has(d.mrn)) subjects.add(d.d);
    }
    judged[rule.meta.id] = [...subjects].sort();
  }
  return { findings: [...findings.values()], judged };
}

function stamp(rule: ReconciliationRule, hit: ReconHit, tenant: string, raisedAt: string): Finding {
  const t = hit.target;
  return Finding.fromPartial({
    findingId: reconciliationFindingId(tenant, hit.subject, t.v, hit.item, rule.meta.id, rule.meta.version, hit.digest),
    tenantId: tenant,
    declarationId: t.d,
    declarationVersion: t.v,
    mrn: t.mrn,
    lrn: t.lrn,
    itemNumber: hit.item,
    ruleId: rule.meta.id,
    ruleVersion: rule.meta.version,
    title: rule.meta.title,
    family: rule.meta.family,
    severity: hit.severity,
    exposureDutyPence: hit.exposureDutyPence ?? 0,
    exposureVatPence: hit.exposureVatPence ?? 0,
    reclaimDutyPence: hit.reclaimDutyPence ?? 0,
    reclaimVatPence: hit.reclaimVatPence ?? 0,
    acceptanceDate: t.date,
    deadline: statutoryDeadline(t.date),
    evidence: hit.evidence,
    explanation: hit.explanation,
    remediation: hit.remediation,
    correctionRoute: rule.meta.correctionRoute,
    referenceVersions: { 'history-rules': HISTORY_RULESET, reconciliation: hit.digest.split('|')[0]! },
    source: 'scoring',
    raisedAt,
    importerEori: t.importer,
    declarantId: t.declarant,
    commodityCode: hit.commodityCode ?? '',
    originCountry: hit.originCountry ?? '',
    cpc: hit.cpc ?? '',
    supplier: hit.supplier ?? '',
  });
}
