import { Severity } from '@customs/contracts';
import { pounds } from './money';
import { priceRateDifference } from './pricing';
import { KNOWLEDGE_REFS } from './state';
import type { HistoryHit, HistoryRule, HistoryState, KnowledgeGroup, OriginEvidence } from './types';

/** Preference claims of a supplier before its share under importer's knowledge means anything. */
export const MIN_CLAIM_LINES = 10;
/** Share of the supplier's claimed customs value resting on U112 alone from which it is flagged, in percent. */
export const CONCENTRATION_PCT = 90;

/**
 * The concentration criterion on the group's whole history as it stands (counts and values are
 * sums, the same whatever order the declarations arrived in): ≥ MIN_CLAIM_LINES claim lines and
 * u112Cv / claimCv ≥ CONCENTRATION_PCT %, compared in integers.
 */
export const isConcentrated = (g: KnowledgeGroup) => g.claims >= MIN_CLAIM_LINES && g.claimCv > 0 && g.u112Cv * 100 >= g.claimCv * CONCENTRATION_PCT;

export const c20ImportersKnowledgeConcentration: HistoryRule = {
  meta: {
    id: 'C20',
    version: '1.1.0',
    title: 'Importer’s-knowledge (U112) concentration',
    family: 'origin-preference',
    dataElements: [
      'DE 4/17 preference',
      'DE 2/3 U112 importer’s knowledge',
      'DE 3/24 seller / DE 3/1 exporter',
      'DE 6/8 description',
      'DE 6/14 commodity code',
      'DE 4/5 A00 and B00 rates',
      'DE 8/6 customs value',
    ],
    legalBasis:
      'A preference claim on the importer’s knowledge (U112, e.g. TCA art. 54(1)(b)) must be backed by the importer’s own records of the goods’ origin; HMRC samples such claims in audit (origin evidence is an audit hot topic), and a supplier whose claims rest almost only on it concentrates that risk (DOMAIN.md §3.3 C20)',
    severityLogic: 'MEDIUM (either criterion): an evidence gap with duty at stake (the saving is lost if the origin cannot be shown), not a proven error',
    pricing:
      'the preference saving at risk on each flagged line: CV × (third-country A00 rate the importer declared on its ordinary lines (CPC 40/42, DE 4/17 100) of the same description and CN8 − the rate declared), rounded down, with the VAT effect on (CV + duty) at the line’s B00 rate, as exposure; unpriced (£0, said so in the explanation) when the importer never declared those goods at the third-country rate (the tariff’s rate is not joined yet)',
    correctionRoute: 'obtain the supplier’s statement on origin (or keep the importer’s records of the origin) for the claims; without evidence, disclose the saving by C2001',
    businessRule: `Per importer and supplier (whose country fixes the agreement), once the supplier has ≥ ${MIN_CLAIM_LINES} preference-claim lines (DE 4/17 2xx/3xx) in force and ≥ ${CONCENTRATION_PCT} % of their customs value cites U112 as the only origin evidence basis, each U112 line of the supplier is flagged. The share is the supplier's whole history as it stands (sums, whatever order declarations of several partitions arrive in), judged again on every arrival: each line of the batch, and the latest ${KNOWLEDGE_REFS} kept per supplier (earlier ones were judged while among them); a finding the judgement no longer reaches is superseded (the rest of the supplier's claims arrived and the share fell under the threshold — then its older lines are re-judged too — or the line is now priced), and one reached again is made active again. A line's third-country rate is looked up again when an ordinary line of the same goods arrives after the claim. Second criterion (DOMAIN): when the importer keeps an origin evidence register (POST /v1/importers/:id/origin-evidence: per supplier a statement on origin, long-term supplier’s declaration or the importer’s own records, valid from–to, optionally for commodity-code prefixes), a U112 claim line on complex goods — any chapter but 01–14 and 25–26, whose goods are commonly wholly obtained; the others qualify by product-specific rules on materials only the supplier knows — is flagged when no entry of its supplier covers its acceptance date and code. An importer with no register at all is not judged on it (an empty register says nothing, as C02’s approved-agent list). A change of the register re-judges the importer’s U112 lines at once (the latest ${KNOWLEDGE_REFS} per supplier, and every line a C20 finding was ever raised on): a line now covered has its finding superseded, a line no longer covered is flagged (an older line never flagged is not judged again).`,
    minimumHistory: `${MIN_CLAIM_LINES} preference-claim lines of the supplier (concentration); none for the evidence criterion, once the importer keeps a register`,
    confidence: 0.5,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const key of input.touched.knowledge) {
      const g = input.state.knowledge.get(key);
      if (!g) continue;
      // The supplier part of the key may itself hold a '|' ("NAME|CC" when it has no id).
      const importer = key.slice(0, key.indexOf('|'));
      const supplier = key.slice(key.indexOf('|') + 1);
      const concentrated = isConcentrated(g);
      const kept = input.state.evidenceKept?.has(importer) ?? false;
      const register = input.state.evidence?.get(key) ?? [];
      const share = g.claimCv > 0 ? `${((g.u112Cv / g.claimCv) * 100).toFixed(1)}%` : 'n/a';
      // The kept lines, and every line of the batch (more of one supplier than are kept are judged too).
      const keptLines = new Set(g.refs.map((r) => `${r.d}#${r.i}`));
      const lines = [...g.refs, ...(input.knowledgeLines?.get(key) ?? []).filter((r) => !keptLines.has(`${r.d}#${r.i}`))];
      for (const r of lines) {
        const gap = kept && isComplexGoods(r.code) && !register.some((e) => evidenceCovers(e, r.date, r.code));
        if (!concentrated && !gap) continue;
        const p = priceRateDifference(
          { cv: r.cv, a00Rate: r.a00Rate, vatRate: r.vatRate, preference: '' },
          r.tcRate,
          'the third-country rate declared on the importer’s ordinary lines of the goods',
          true,
        );
        const exposure = p.known ? p.exposureDutyPence : 0;
        const why: string[] = [];
        if (concentrated) why.push(`${share} of the customs value claimed under preference from this supplier rests on importer's knowledge (U112) alone (${g.u112} of ${g.claims} claim lines)`);
        if (gap)
          why.push(
            `U112 on complex goods (chapter ${r.code.slice(0, 2)}, not wholly obtained) with no origin evidence on file for the supplier covering ${r.date} and ${r.code} (${register.length ? `${register.length} entr${register.length === 1 ? 'y' : 'ies'} on file, none covering it` : 'none on file for this supplier'})`,
          );
        out.push({
          ruleId: 'C20',
          target: { d: r.d, v: r.v, mrn: r.mrn, lrn: r.lrn, date: r.date, importer, declarant: r.declarant },
          item: r.i,
          severity: Severity.SEVERITY_MEDIUM,
          exposureDutyPence: exposure,
          exposureVatPence: exposure > 0 ? p.exposureVatPence : 0,
          // The criteria met and the rate the saving is priced at are part of the id: evidence added
          // later, a share that falls under the threshold, or a third-country rate learned later
          // (an ordinary line of the goods arriving after the claim) each give another verdict, and
          // the finding of the old one is superseded (a concentration-only, unpriced verdict keeps
          // the id it always had).
          ...(gap || p.known ? { digest: `${gap ? (concentrated ? 'concentration+no-evidence' : 'no-evidence') : 'concentration'}${p.known ? `|tc ${r.tcRate}` : ''}` } : {}),
          evidence: [
            { field: 'DE 2/3 U112', value: "importer's knowledge", note: `preference ${r.preference} on this line` },
            { field: 'history.u112_share_of_claimed_cv', value: share, note: `${pounds(g.u112Cv)} of ${pounds(g.claimCv)} claimed on ${g.u112} of ${g.claims} claim line(s)` },
            { field: 'supplier', value: supplier, note: '' },
            ...(kept
              ? [
                  {
                    field: 'register.origin_evidence',
                    value: gap ? 'none covering this line' : 'on file',
                    note:
                      register.map((e) => `${e.kind} ${e.validFrom}..${e.validTo}${e.codePrefixes.length ? ` codes ${e.codePrefixes.join('/')}` : ''} (${e.reference})`).join('; ') ||
                      'no entry for this supplier',
                  },
                ]
              : []),
            { field: 'history.third_country_rate', value: r.tcRate || 'unknown', note: 'A00 rate declared on the importer’s ordinary lines of the same goods and CN8' },
          ],
          explanation: `${why.join('; and ')}. ${p.known ? `Saving at risk on this line: ${p.text}` : `Saving at risk not priced: ${p.text.replace(/^not priced: /, '')}`}.`,
          remediation: gap
            ? 'Obtain the supplier’s statement on origin (or a long-term supplier’s declaration) covering these goods and this date and add it to the evidence register (POST /v1/importers/:id/origin-evidence); if it cannot be had, disclose the saving by C2001.'
            : 'Keep the records the importer’s knowledge rests on (production, supplier’s statement on origin, cost breakdown) for these goods; if they cannot be produced, disclose the saving by C2001 and claim on a statement on origin in future.',
          commodityCode: r.code,
          originCountry: r.origin,
          cpc: r.cpc,
          supplier: r.supplier,
        });
      }
    }
    return out;
  },
};

/**
 * Which of C20's active findings a judgement withdraws, for the groups it judged (pure): an active
 * C20 finding on a kept U112 line of a judged group that the judgement did not reach again (the
 * share fell under the threshold once the rest of the supplier's history arrived, evidence now
 * covers it, or it is now priced under another id). `active` is the active C20 findings of those
 * lines' declarations. And the importers one of whose groups turned from concentrated to not:
 * findings on its older lines (beyond the kept ones) are withdrawn by a full re-judgement.
 */
export function c20Withdrawals(
  state: HistoryState,
  judged: Iterable<string>,
  decided: readonly { findingId: string }[],
  active: readonly { findingId: string; declarationId: string; itemNumber: number }[],
  /** The verdict stored with each group loaded (undefined: stored before verdicts were kept); a group absent is new. */
  before: ReadonlyMap<string, boolean | undefined>,
): { supersede: string[]; rejudgeImporters: string[] } {
  const lines = new Set<string>();
  const rejudge = new Set<string>();
  for (const key of judged) {
    const g = state.knowledge.get(key);
    if (!g) continue;
    for (const r of g.refs) lines.add(`${r.d}#${r.i}`);
    // A group new in this batch was not concentrated; one stored before verdicts were kept (unknown) counts as concentrated, so its older lines are looked at once.
    if (before.has(key) && (before.get(key) ?? true) && !isConcentrated(g)) rejudge.add(key.slice(0, key.indexOf('|')));
  }
  const keep = new Set(decided.map((f) => f.findingId));
  return {
    supersede: active.filter((f) => lines.has(`${f.declarationId}#${f.itemNumber}`) && !keep.has(f.findingId)).map((f) => f.findingId),
    rejudgeImporters: [...rejudge].sort(),
  };
}

/**
 * HS chapters whose goods are commonly wholly obtained in one country (TCA Annex ORIG-1 art. 4 /
 * the EU's GSP and PEM lists of wholly obtained products): live animals and animal products
 * (01–05), vegetable products (06–14), and mineral products extracted from the soil or seabed
 * (25 salt, stone, earths; 26 ores). The importer's own knowledge of where such goods were born,
 * grown or mined can stand on its records. Every other chapter — processed foods (15–24), fuels as
 * refined (27), chemicals, plastics, textiles, metals, machinery, vehicles (28–97) — is "complex":
 * origin rests on a product-specific rule (change of tariff heading, value added, specific
 * processing) about non-originating materials the importer cannot know without the supplier's
 * evidence, which is why DOMAIN's C20 asks for supplier evidence on file for U112 on them.
 */
export const WHOLLY_OBTAINED_CHAPTERS: ReadonlySet<string> = new Set([...Array.from({ length: 14 }, (_, i) => String(i + 1).padStart(2, '0')), '25', '26']);

/** Complex (not wholly obtained) goods by their commodity code's chapter; an undeclared code is not judged complex. */
export const isComplexGoods = (code: string) => /^\d{2}/.test(code) && !WHOLLY_OBTAINED_CHAPTERS.has(code.slice(0, 2));

/** Whether an evidence entry covers a line: its date within the validity (both days included) and its code under one of the prefixes (none = every code). */
export const evidenceCovers = (e: OriginEvidence, date: string, code: string) =>
  date >= e.validFrom && date <= e.validTo && (e.codePrefixes.length === 0 || e.codePrefixes.some((p) => code.startsWith(p)));
