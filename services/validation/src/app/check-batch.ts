import { DeclarationChecked, type CommodityResult, type Declaration, type Finding, type FxResult } from '@customs/contracts';
import { evaluateDeclaration, referenceNeeds, type ReferenceView, type Rule } from '../rules';
import type { ReferencePort } from './reference-port';

/** Result of checking one declaration version. */
export interface CheckResult {
  declaration: Declaration;
  findings: Finding[];
  summary: DeclarationChecked;
}

/**
 * Checks a batch of declarations: one batched reference lookup for the whole batch, then the
 * pure rules per declaration.
 */
export async function checkBatch(rules: readonly Rule[], reference: ReferencePort, declarations: Declaration[], now: Date): Promise<CheckResult[]> {
  const needs = referenceNeeds(rules, declarations);
  const [commodities, fx] = await Promise.all([
    needs.commodities.length ? reference.lookupCommodities(needs.commodities) : Promise.resolve([] as CommodityResult[]),
    needs.fx.length ? reference.lookupFx(needs.fx) : Promise.resolve([] as FxResult[]),
  ]);
  const commodityByKey = new Map(commodities.map((c) => [`${c.commodityCode}|${c.date}`, c]));
  const fxByKey = new Map(fx.map((f) => [`${f.currency}|${f.date}`, f]));
  const view: ReferenceView = {
    commodity: (code, date) => commodityByKey.get(`${code}|${date}`),
    fx: (currency, date) => fxByKey.get(`${currency}|${date}`),
  };
  const versions: Record<string, string> = {};
  for (const c of commodities) if (c.datasetVersion) versions.nomenclature = c.datasetVersion;
  for (const f of fx) if (f.datasetVersion) versions.fx = f.datasetVersion;

  const today = now.toISOString().slice(0, 10);
  const raisedAt = now.toISOString();
  return declarations.map((d) => {
    const findings = evaluateDeclaration(rules, d, view, today, raisedAt, versions);
    const exposure = findings.reduce((s, f) => s + f.exposureDutyPence + f.exposureVatPence, 0);
    const reclaim = findings.reduce((s, f) => s + f.reclaimDutyPence + f.reclaimVatPence, 0);
    const importer = findings[0]?.importerEori ?? d.importerEori;
    return {
      declaration: d,
      findings,
      summary: DeclarationChecked.fromPartial({
        tenantId: d.tenantId,
        declarationId: d.declarationId,
        declarationVersion: d.version,
        mrn: d.mrn,
        lrn: d.lrn,
        importerEori: importer || d.parties.find((p) => p.role === 'importer')?.id || '',
        declarantId: d.parties.find((p) => p.role === 'declarant')?.id ?? '',
        itemCount: d.items.length,
        findingIds: findings.map((f) => f.findingId),
        exposurePence: exposure,
        reclaimPence: reclaim,
        acceptanceDate: d.acceptanceDate,
        checkedAt: raisedAt,
        rulesEvaluated: rules.map((r) => r.meta.id),
        findings,
      }),
    };
  });
}
