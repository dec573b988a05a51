import { DeclarationChecked, type CodeListResult, type CommodityResult, type Declaration, type Finding, type FxResult, type MeasureFact as MeasureMessage, type RateResult } from '@customs/contracts';
import { evaluateDeclaration, referenceNeeds, type CodeListFact, type MeasureFact, type RateFacts, type ReferenceView, type Rule } from '../rules';
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
  const [commodities, fx, rates, codeLists] = await Promise.all([
    needs.commodities.length ? reference.lookupCommodities(needs.commodities) : Promise.resolve([] as CommodityResult[]),
    needs.fx.length ? reference.lookupFx(needs.fx) : Promise.resolve([] as FxResult[]),
    needs.rates.length ? reference.lookupRates(needs.rates) : Promise.resolve([] as RateResult[]),
    needs.codeLists.length ? reference.lookupCodeLists(needs.codeLists) : Promise.resolve([] as CodeListResult[]),
  ]);
  const commodityByKey = new Map(commodities.map((c) => [`${c.commodityCode}|${c.date}`, c]));
  const fxByKey = new Map(fx.map((f) => [`${f.currency}|${f.date}`, f]));
  const ratesByKey = new Map(rates.map((r) => [`${r.commodityCode}|${r.origin}|${r.date}`, toRateFacts(r)]));
  const codeListByKey = new Map(codeLists.map((c) => [`${c.list}|${c.code}|${c.date}`, toCodeListFact(c)]));
  const view: ReferenceView = {
    commodity: (code, date) => commodityByKey.get(`${code}|${date}`),
    fx: (currency, date) => fxByKey.get(`${currency}|${date}`),
    rates: (code, origin, date) => ratesByKey.get(`${code}|${origin}|${date}`),
    codeList: (list, code, date) => codeListByKey.get(`${list}|${code}|${date}`),
  };
  const versions: Record<string, string> = {};
  for (const c of commodities) if (c.datasetVersion) versions.nomenclature = c.datasetVersion;
  for (const f of fx) if (f.datasetVersion) versions.fx = f.datasetVersion;
  for (const r of rates) if (r.datasetVersion) versions.tariff = r.datasetVersion;
  for (const c of codeLists) if (c.datasetVersion) versions[`codes:${c.list}`] = c.datasetVersion;

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

function toMeasure(m: MeasureMessage): MeasureFact {
  return { measureType: m.measureType, geographicalArea: m.geographicalArea, expression: m.expression, taxType: m.taxType, additionalCode: m.additionalCode, validFrom: m.validFrom, validTo: m.validTo, datasetVersion: m.datasetVersion };
}

/** The reference service's answer in the shape rules read (types.ts RateFacts). */
export function toRateFacts(r: RateResult): RateFacts {
  return {
    known: r.known,
    unknownReason: r.unknownReason,
    thirdCountry: r.thirdCountry ? toMeasure(r.thirdCountry) : undefined,
    preferential: r.preferential.map(toMeasure),
    suspensions: r.suspensions.map(toMeasure),
    tradeRemedies: r.tradeRemedies.map(toMeasure),
    vat: r.vat.map(toMeasure),
    supplementaryUnit: r.supplementaryUnit,
    schemes: r.schemes.map((s) => ({ id: s.id, name: s.name, proofDocumentCodes: [...s.proofDocumentCodes], validFrom: s.validFrom, validTo: s.validTo })),
    datasetVersion: r.datasetVersion,
    measuresLoaded: r.measuresLoaded,
  };
}

function toCodeListFact(c: CodeListResult): CodeListFact {
  return { known: c.known, member: c.member, description: c.description, datasetVersion: c.datasetVersion };
}
