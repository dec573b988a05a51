import { DeclarationChecked, type CodeListResult, type CommodityResult, type Declaration, type Finding, type FxResult, type MeasureFact as MeasureMessage, type RateResult } from '@customs/contracts';
import { evaluateDeclaration, referenceNeeds, type CodeListFact, type MeasureFact, type RateFacts, type ReferenceNeeds, type ReferenceView, type Rule, type UndecidedRule } from '../rules';
import type { ReferencePort } from './reference-port';

/** Result of checking one declaration version. */
export interface CheckResult {
  declaration: Declaration;
  findings: Finding[];
  summary: DeclarationChecked;
  /** Rules that could not decide: they threw (cause failed) or could not decide on an item (not_checked). */
  undecided: UndecidedRule[];
  /** The reference facts the rules were checked against (for a draft check's recomputed tax lines). */
  reference: ReferenceView;
}

/**
 * Why no rule can check a declaration at all, or undefined. An acceptance date that is not a
 * real calendar day (2023-02-30: ingestion refuses those, but other producers or older data may
 * carry one) dates nothing (tariff, exchange rate, 3-year deadline), and Postgres refuses it in
 * a date column: checking it would only throw, batch after batch, until it was dead-lettered.
 * An empty date is not a reason: the rules treat it as unknown.
 */
export function uncheckableReason(d: Declaration): string | undefined {
  const a = d.acceptanceDate;
  if (!a) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(a);
  const [y, mo, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  // Year 0 does not exist in Postgres dates; the month lengths are the proleptic Gregorian ones.
  const daysInMonth = mo === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  if (m && y >= 1 && mo >= 1 && mo <= 12 && day >= 1 && day <= daysInMonth) return undefined;
  return `acceptance date "${a}" is not a real calendar date, so nothing can be dated by it (tariff, exchange rate, 3-year deadline): no rule was run`;
}

/**
 * Checks a batch of declarations: one batched reference lookup for the whole batch, then the
 * pure rules per declaration. A rule that throws on a declaration is left out of its result
 * (`undecided`, and not in `rulesEvaluated`); the other rules' findings stand. Declarations
 * with an uncheckableReason must be screened out by the caller.
 */
export async function checkBatch(rules: readonly Rule[], reference: ReferencePort, declarations: Declaration[], now: Date): Promise<CheckResult[]> {
  // Needs per declaration (to record the dataset versions each one's findings really used), and
  // their union for the batch's one lookup per kind.
  const undecided = declarations.map((): UndecidedRule[] => []);
  const perDeclaration = declarations.map((d, i) => referenceNeeds(rules, [d], undecided[i]));
  const needs = unionOfNeeds(perDeclaration);
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
  /** The reference-data versions one declaration's lookups used ("a | b" when items differ). */
  const versionsOf = (n: Required<ReferenceNeeds>): Record<string, string> => {
    const acc = new Map<string, Set<string>>();
    const add = (k: string, v: string | undefined) => {
      if (v) acc.set(k, (acc.get(k) ?? new Set()).add(v));
    };
    for (const q of n.commodities) add('nomenclature', commodityByKey.get(`${q.code}|${q.date}`)?.datasetVersion);
    for (const q of n.fx) add('fx', fxByKey.get(`${q.currency}|${q.date}`)?.datasetVersion);
    for (const q of n.rates) add('tariff', ratesByKey.get(`${q.code}|${q.origin}|${q.date}`)?.datasetVersion);
    for (const q of n.codeLists) add(`codes:${q.list}`, codeListByKey.get(`${q.list}|${q.code}|${q.date}`)?.datasetVersion);
    return Object.fromEntries([...acc].map(([k, v]) => [k, [...v].sort().join(' | ')]));
  };

  const today = now.toISOString().slice(0, 10);
  const raisedAt = now.toISOString();
  return declarations.map((d, i) => {
    const notDecided = undecided[i]!;
    // A rule whose needs() failed never had its facts fetched: it is not evaluated either.
    const failedNeeds = new Set(notDecided.filter((u) => u.cause === 'failed').map((u) => u.ruleId));
    const findings = evaluateDeclaration(failedNeeds.size ? rules.filter((r) => !failedNeeds.has(r.meta.id)) : rules, d, view, today, raisedAt, versionsOf(perDeclaration[i]!), notDecided);
    // Only a rule that failed was not evaluated; one that could not decide on an item ran.
    const undecidedIds = new Set(notDecided.filter((u) => u.cause === 'failed').map((u) => u.ruleId));
    const exposure = findings.reduce((s, f) => s + f.exposureDutyPence + f.exposureVatPence, 0);
    const reclaim = findings.reduce((s, f) => s + f.reclaimDutyPence + f.reclaimVatPence, 0);
    const importer = findings[0]?.importerEori ?? d.importerEori;
    return {
      declaration: d,
      findings,
      undecided: notDecided,
      reference: view,
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
        rulesEvaluated: rules.filter((r) => !undecidedIds.has(r.meta.id)).map((r) => r.meta.id),
        findings,
      }),
    };
  });
}

function toMeasure(m: MeasureMessage): MeasureFact {
  return {
    measureType: m.measureType,
    geographicalArea: m.geographicalArea,
    expression: m.expression,
    taxType: m.taxType,
    additionalCode: m.additionalCode,
    validFrom: m.validFrom,
    validTo: m.validTo,
    datasetVersion: m.datasetVersion,
  };
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

/** Deduplicated union of several declarations' reference needs. */
function unionOfNeeds(all: readonly Required<ReferenceNeeds>[]): Required<ReferenceNeeds> {
  const pick = <T>(get: (n: Required<ReferenceNeeds>) => T[], key: (q: T) => string): T[] => {
    const m = new Map<string, T>();
    for (const n of all) for (const q of get(n)) m.set(key(q), q);
    return [...m.values()];
  };
  return {
    commodities: pick(
      (n) => n.commodities,
      (q) => `${q.code}|${q.date}`,
    ),
    fx: pick(
      (n) => n.fx,
      (q) => `${q.currency}|${q.date}`,
    ),
    rates: pick(
      (n) => n.rates,
      (q) => `${q.code}|${q.origin}|${q.date}`,
    ),
    codeLists: pick(
      (n) => n.codeLists,
      (q) => `${q.list}|${q.code}|${q.date}`,
    ),
  };
}
