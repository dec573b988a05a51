// History-based errors (scoring's checks C02, C10, C11, C20, C23, C30, C34, C37) over a clean
// dataset, with ground truth. Each error is an extra declaration derived from the stream so far — a
// duplicate of an earlier entry, the same goods under another code or origin, a keying slip in the
// value, an unknown agent, a new supplier whose claims rest on importer's knowledge alone, a second
// re-import against one export — emitted right after the declaration it was derived from. The clean stream is
// generateDataset's with no per-declaration errors, so every history finding is an injected one.
import { Declaration, GoodsItem } from '@customs/contracts';
import { loadFacts } from './facts';
import { generateDataset, type GenerateOptions } from './generate';
import { ratePercent, taxPence, toScaled } from './money';
import { VAT_RATE } from './price';
import { Rng, hash32 } from './prng';
import type { GeneratedDeclaration, TruthEntry } from './types';
import { PARTNERS, buildWorld, type Product } from './world';

export const HISTORY_RULES = ['C02', 'C10', 'C11', 'C20', 'C23', 'C30', 'C34', 'C37'] as const;

/** C20's injected supplier: its claim lines, all on importer's knowledge (scoring flags ≥ 10 claim lines ≥ 90 % on U112). */
const C20_LINES = 10;

/**
 * C20's second criterion (U112 on complex goods without origin evidence on file): one claim line
 * from a supplier the importer's evidence register (originEvidenceRegister) has no entry for.
 * Injected only when asked (default rate 0): it is an error only for an importer that keeps a
 * register, so a stream measured without one must not carry it.
 */
export const C20_EVIDENCE_GAP = 'C20E';

/** HS chapters whose goods are commonly wholly obtained (scoring's C20 judges only the other, complex goods). */
const WHOLLY_OBTAINED = /^(0\d|1[0-4]|2[56])/;

export interface HistoryOptions extends Omit<GenerateOptions, 'rules' | 'rates' | 'defaultRate'> {
  /** Share of base declarations followed by a derived error of each rule (default 0.01 each; C20E, C20's evidence gap, default 0). */
  historyRates?: Partial<Record<(typeof HISTORY_RULES)[number] | typeof C20_EVIDENCE_GAP, number>>;
  /** Base declarations before any error is derived (the history the checks need), default 15 % of the stream. */
  warmup?: number;
}

const norm = (s: string) =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
const sellerOf = (d: Declaration) => d.parties.find((p) => p.role === 'seller')?.name ?? '';

function a00(it: GoodsItem) {
  return it.taxLines.find((t) => t.taxType === 'A00');
}

/** Re-prices an item's A00 and B00 at an A00 rate (×10^6) on its customs value: rounded down, VAT on CV + duty. */
function reprice(it: GoodsItem, cvPence: bigint, rate: bigint): { duty: bigint; vat: bigint } {
  const duty = taxPence(cvPence, rate);
  const vat = taxPence(cvPence + duty, VAT_RATE);
  for (const t of it.taxLines) {
    if (t.taxType === 'A00') {
      t.rate = ratePercent(rate);
      t.payablePence = Number(duty);
      t.baseAmount = (Number(cvPence) / 100).toFixed(2);
    }
    if (t.taxType === 'B00') {
      t.payablePence = Number(vat);
      t.baseAmount = (Number(cvPence + duty) / 100).toFixed(2);
    }
  }
  it.vatValuePence = Number(cvPence + duty);
  return { duty, vat };
}

const cvOf = (it: GoodsItem) => BigInt(it.customsValuePresent ? it.customsValuePence : it.statisticalValuePence);

/** A copy of a declaration as a new entry: new id, MRN, LRN and invoice reference, optionally one item only (renumbered 1). */
function copyAsNew(d: Declaration, suffix: string, rng: Rng, itemIndex?: number): Declaration {
  const c = Declaration.decode(Declaration.encode(d).finish());
  c.declarationId = `${d.declarationId}-${suffix}`;
  const body = `${d.mrn.slice(0, 4)}${rng.chars(13, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}`;
  c.mrn = `${body}${hash32(body) % 10}`;
  c.lrn = `${d.lrn.split('-')[0]}-${d.acceptanceDate.replace(/-/g, '')}-${rng.chars(5)}`;
  const invoice = `INV-H${suffix}-${rng.chars(6)}`;
  for (const doc of [...c.documents, ...c.items.flatMap((i) => i.documents)]) if (doc.code === 'N935') doc.reference = invoice;
  if (itemIndex !== undefined) {
    const it = c.items[itemIndex]!;
    it.itemNumber = 1;
    c.items = [it];
    c.invoiceAmount = { value: it.itemPrice!.value, currency: it.itemPrice!.currency };
    c.adjustments = [];
    if (c.customsValuePresent) c.customsValuePence = it.customsValuePence;
    c.totalGrossMassKg = it.grossMassKg;
    // A header-level invoice reference moves to the item, so the copy still cites one.
    if (!it.documents.some((x) => x.code === 'N935')) it.documents.push({ code: 'N935', reference: invoice, status: 'AC', reason: '' });
    c.documents = c.documents.filter((x) => x.code !== 'N935');
  }
  return c;
}

interface GroupCount {
  n: number;
}

/**
 * Streams a clean dataset with history-based errors and their ground truth. Memory is bounded
 * (a ring of recent declarations and per-group counters), so it scales like generateDataset.
 */
export function* generateHistoryDataset(opts: HistoryOptions): Generator<GeneratedDeclaration> {
  const ref = opts.facts ?? loadFacts();
  const world = buildWorld(ref, { seed: opts.seed, importers: opts.importers });
  const rates = { C02: 0.01, C10: 0.01, C11: 0.01, C20: 0.01, C23: 0.01, C30: 0.01, C34: 0.01, C37: 0.01, C20E: 0, ...opts.historyRates };
  const warmup = opts.warmup ?? Math.floor(opts.declarations * 0.15);
  const ring: Declaration[] = [];
  const supplierGroups = new Map<string, GroupCount>();
  const descGroups = new Map<string, GroupCount>();
  const valueGroups = new Map<string, GroupCount>();
  const importerCount = new Map<string, number>();
  const used = new Set<string>();
  // Goods the importer declares at their third-country rate (CPC 4000, DE 4/17 100, A00 > 0):
  // importer|description|CN8 → rate, and its latest such lines (C20 re-sources them).
  const ordinary = new Map<string, bigint>();
  const ordinaryLines = new Map<string, GoodsItem[]>();
  // Returned-goods (CPC 61xx) entries per importer, latest last (C34 re-imports against their export again).
  const returns = new Map<string, Declaration[]>();
  const isReturn = (x: Declaration) => x.items.some((i) => i.procedureCode.startsWith('61'));
  const goodsKey = (imp: string, it: GoodsItem) => `${imp}|${norm(it.description)}|${it.commodityCode.slice(0, 8)}`;
  const bump = (m: Map<string, GroupCount>, k: string) => m.set(k, { n: (m.get(k)?.n ?? 0) + 1 });
  const importerOf = (d: Declaration) => d.importerEori;
  let k = 0;
  for (const base of generateDataset({ ...opts, facts: ref, rules: [], rates: {}, defaultRate: 0 })) {
    const d = base.declaration;
    // Trade descriptions carry the supplier's part number (the SKU the history checks group by):
    // the catalogue has different codes under one tariff wording, which alone would look like C10.
    for (const it of d.items) {
      // (Product.sku is heading + TARIC suffix, shared by sibling codes; the part number is per product.)
      if (world.productByCode.has(it.commodityCode)) it.description = `${it.description} - PN ${hash32(`pn:${opts.seed}:${it.commodityCode}`).toString(36).toUpperCase()}`;
    }
    yield base;
    const rng = new Rng((hash32(`history:${opts.seed}`) ^ Math.imul(base.index + 1, 0x85ebca6b)) >>> 0);
    const derived: GeneratedDeclaration[] = [];
    const truth = (
      decl: Declaration,
      e: Omit<TruthEntry, 'declarationId' | 'mrn' | 'exposureDutyPence' | 'exposureVatPence' | 'reclaimDutyPence' | 'reclaimVatPence'> & Partial<TruthEntry>,
    ): TruthEntry => ({ declarationId: decl.declarationId, mrn: decl.mrn, exposureDutyPence: 0, exposureVatPence: 0, reclaimDutyPence: 0, reclaimVatPence: 0, ...e });
    const emit = (decl: Declaration, t: TruthEntry[], rule: string) => derived.push({ index: base.index, declaration: decl, truth: t, injected: [rule] });
    if (k >= warmup) {
      const importer = world.importers.find((i) => i.eori === importerOf(d))!;
      const seller = sellerOf(d);
      // Items the groups already know well (≥ 3 lines of the same supplier and description), charged at a positive rate.
      const established = d.items
        .map((it, i) => ({ it, i }))
        .filter(
          ({ it }) =>
            (supplierGroups.get(`${importerOf(d)}|${seller}|${norm(it.description)}`)?.n ?? 0) >= 3 &&
            a00(it) &&
            toScaled(a00(it)!.rate || '0', 4) > 0n &&
            !used.has(`${importerOf(d)}|${seller}|${norm(it.description)}`),
        );
      const r = rng.float();
      let acc = 0;
      const pick = (rule: keyof typeof rates) => {
        const hit = r >= acc && r < acc + rates[rule];
        acc += rates[rule];
        return hit;
      };
      if (pick('C37')) {
        // The broker lodges an entry of the last few weeks again: same invoice, same goods, new MRN.
        const orig = [...ring]
          .reverse()
          // (A returned-goods entry lodged twice would be C34's too: left to C34's own injection.)
          .find(
            (o) =>
              o.importerEori === d.importerEori &&
              o.acceptanceDate < d.acceptanceDate &&
              !isReturn(o) &&
              o.items.every((i) => !i.taxLines.some((t) => t.taxType.startsWith('A') && t.taxType !== 'A00')),
          );
        if (orig) {
          const dup = Declaration.decode(Declaration.encode(orig).finish());
          dup.declarationId = `${orig.declarationId}-dup`;
          const body = `${d.mrn.slice(0, 4)}${rng.chars(13, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}`;
          dup.mrn = `${body}${hash32(body) % 10}`;
          dup.lrn = `${orig.lrn}-2`;
          dup.acceptanceDate = d.acceptanceDate;
          const duty = dup.items.reduce((s, i) => s + i.taxLines.filter((t) => t.taxType.startsWith('A')).reduce((x, t) => x + t.payablePence, 0), 0);
          if (!used.has(dup.declarationId))
            used.add(dup.declarationId),
              emit(
                dup,
                [truth(dup, { itemNumber: 0, ruleId: 'C37', reclaimDutyPence: duty, note: `duplicate of ${orig.mrn} (same N935 invoice); VAT recoverable by the VAT-registered importer` })],
                'C37',
              );
        }
      } else if (pick('C11') && established.length) {
        // The broker classifies one shipment of a regular product under another code.
        const { it, i } = rng.pick(established);
        const product = world.productByCode.get(it.commodityCode);
        const other = pickOtherCode(world.catalogue, product, rng, toScaled(a00(it)!.rate, 4));
        if (other) {
          const c = copyAsNew(d, 'c11', rng, i);
          const line = c.items[0]!;
          const cv = cvOf(line);
          const oldRate = toScaled(a00(it)!.rate, 4);
          line.commodityCode = other.code;
          const now = reprice(line, cv, other.mfnRate);
          const oldDuty = taxPence(cv, oldRate);
          const oldVat = taxPence(cv + oldDuty, VAT_RATE);
          emit(
            c,
            [truth(c, { itemNumber: 1, ruleId: 'C11', ...priced(oldDuty - now.duty, oldVat - now.vat), note: `${it.commodityCode} → ${other.code} for the same supplier and description` })],
            'C11',
          );
          used.add(`${importerOf(d)}|${seller}|${norm(it.description)}`);
        }
      } else if (pick('C10') && d.items.length) {
        // Another supplier's shipment of goods the importer knows is declared under another code.
        const cands = d.items
          .map((it, i) => ({ it, i }))
          .filter(
            ({ it }) =>
              (descGroups.get(`${importerOf(d)}|${norm(it.description)}`)?.n ?? 0) >= 4 && a00(it) && toScaled(a00(it)!.rate || '0', 4) > 0n && !used.has(`${importerOf(d)}|*|${norm(it.description)}`),
          );
        const supplier2 = importer.suppliers.find(
          (s) => s.name !== seller && !s.modelled && !PARTNERS[s.country] && cands.length > 0 && !s.products.some((p) => cands.some(({ it }) => norm(p.description) === norm(it.description))),
        );
        if (cands.length && supplier2) {
          const { it, i } = rng.pick(cands);
          const product = world.productByCode.get(it.commodityCode);
          const other = pickOtherCode(world.catalogue, product, rng, toScaled(a00(it)!.rate, 4));
          if (other) {
            const c = copyAsNew(d, 'c10', rng, i);
            for (const p of c.parties) if (p.role === 'seller' || p.role === 'exporter') (p.name = supplier2.name), (p.countryCode = supplier2.country);
            const line = c.items[0]!;
            line.originCountry = supplier2.country;
            line.dispatchCountry = supplier2.dispatch;
            line.preference = '100';
            line.preferentialOrigin = '';
            line.documents = line.documents.filter((x) => !['U110', 'U111', 'U112', 'N864', 'N865', 'N954'].includes(x.code));
            const cv = cvOf(line);
            const oldRate = toScaled(a00(it)!.rate, 4);
            line.commodityCode = other.code;
            const now = reprice(line, cv, other.mfnRate);
            const oldDuty = taxPence(cv, oldRate);
            const oldVat = taxPence(cv + oldDuty, VAT_RATE);
            emit(
              c,
              [
                truth(c, {
                  itemNumber: 1,
                  ruleId: 'C10',
                  ...priced(oldDuty - now.duty, oldVat - now.vat),
                  note: `${norm(it.description)}: ${it.commodityCode} elsewhere, ${other.code} from ${supplier2.name}`,
                }),
              ],
              'C10',
            );
            used.add(`${importerOf(d)}|*|${norm(it.description)}`);
          }
        }
      } else if (pick('C23') && established.length) {
        // The same supplier's goods suddenly declared as of preferential origin, at 0 %.
        const { it, i } = rng.pick(established);
        const origin = ['KR', 'TR', 'CH'].find((c) => c !== it.originCountry)!;
        const c = copyAsNew(d, 'c23', rng, i);
        const line = c.items[0]!;
        const cv = cvOf(line);
        const oldRate = toScaled(a00(it)!.rate, 4);
        line.originCountry = origin;
        line.preferentialOrigin = origin;
        line.preference = '300';
        line.documents.push({ code: 'N864', reference: `OD-${rng.chars(7)}`, status: 'AE', reason: '' });
        const now = reprice(line, cv, 0n);
        const oldDuty = taxPence(cv, oldRate);
        const oldVat = taxPence(cv + oldDuty, VAT_RATE);
        emit(
          c,
          [
            truth(c, {
              itemNumber: 1,
              ruleId: 'C23',
              exposureDutyPence: Number(oldDuty - now.duty),
              exposureVatPence: Number(oldVat - now.vat),
              note: `${it.originCountry} → ${origin} for the same supplier and description, preference 300 at 0 %`,
            }),
          ],
          'C23',
        );
        used.add(`${importerOf(d)}|${seller}|${norm(it.description)}`);
      } else if (pick('C30')) {
        // A keying slip: the value keyed 1,000 times too low (thousands read as units; price and customs value), mass right.
        const cands = d.items
          .map((it, i) => ({ it, i }))
          .filter(
            ({ it }) =>
              (valueGroups.get(`${importerOf(d)}|${it.commodityCode.slice(0, 8)}|${it.originCountry}`)?.n ?? 0) >= 45 &&
              !it.supplementaryUnits &&
              a00(it) &&
              toScaled(a00(it)!.rate || '0', 4) > 0n &&
              cvOf(it) >= 100_000n,
          );
        if (cands.length) {
          const { it, i } = rng.pick(cands);
          const c = copyAsNew(d, 'c30', rng, i);
          const line = c.items[0]!;
          const cv = cvOf(line);
          const low = cv / 1000n;
          const rate = toScaled(a00(it)!.rate, 4);
          const price = toScaled(line.itemPrice!.value, 2) / 1000n;
          line.itemPrice = { value: (Number(price) / 100).toFixed(2), currency: line.itemPrice!.currency };
          c.invoiceAmount = { value: line.itemPrice.value, currency: line.itemPrice.currency };
          if (line.customsValuePresent) line.customsValuePence = Number(low);
          if (c.customsValuePresent) c.customsValuePence = Number(low);
          line.statisticalValuePence = Number(low);
          line.adjustments = [];
          const now = reprice(line, low, rate);
          const trueDuty = taxPence(cv, rate);
          const trueVat = taxPence(cv + trueDuty, VAT_RATE);
          // Truth is the value before the slip; the check can only estimate it (median of the history).
          emit(
            c,
            [
              truth(c, {
                itemNumber: 1,
                ruleId: 'C30',
                exposureDutyPence: Number(trueDuty - now.duty),
                exposureVatPence: Number(trueVat - now.vat),
                note: `value keyed ÷1000: ${cv}p → ${low}p (truth is the real value; the check estimates it)`,
              }),
            ],
            'C30',
          );
        }
      } else if (pick('C02') && (importerCount.get(d.importerEori) ?? 0) >= 40 && d.parties.some((p) => p.role === 'declarant' && p.id !== d.importerEori) && !isReturn(d)) {
        // An agent nobody appointed lodges an entry in the importer's name.
        const c = copyAsNew(d, 'c02', rng);
        const eori = `GB${rng.int(1, 9)}${rng.chars(11)}`;
        for (const p of c.parties) if (p.role === 'declarant' || p.role === 'representative') (p.id = eori), (p.name = 'Quickclear Customs Agency Ltd');
        const duty = c.items.reduce((s, x) => s + x.taxLines.filter((t) => t.taxType.startsWith('A')).reduce((y, t) => y + t.payablePence, 0), 0);
        const vat = c.items.reduce((s, x) => s + x.taxLines.filter((t) => t.taxType === 'B00').reduce((y, t) => y + t.payablePence, 0), 0);
        emit(c, [truth(c, { itemNumber: 0, ruleId: 'C02', exposureDutyPence: duty, exposureVatPence: vat, note: `declarant ${eori} never seen for the importer` })], 'C02');
      } else if (pick('C20')) {
        // A new EU supplier for goods the importer buys at their third-country rate, every claim
        // resting on importer's knowledge (U112) alone: ten lines in one entry, preference 300 at 0 %.
        // One invoice currency per entry: the importer's commonest among those lines.
        const byCurrency = new Map<string, GoodsItem[]>();
        for (const it of new Map((ordinaryLines.get(d.importerEori) ?? []).map((x) => [norm(x.description), x])).values())
          byCurrency.set(it.itemPrice?.currency ?? '', [...(byCurrency.get(it.itemPrice?.currency ?? '') ?? []), it]);
        const pool = [...byCurrency.values()].sort((a, b) => b.length - a.length)[0] ?? [];
        if (pool.length >= C20_LINES) {
          const c = copyAsNew(d, 'c20', rng);
          const name = `Handelskontor ${rng.chars(5, 'ABCDEFGHJKLMNPRSTUVWZ')} GmbH`;
          for (const p of c.parties) if (p.role === 'seller' || p.role === 'exporter' || p.role === 'consignor') (p.id = ''), (p.name = name), (p.countryCode = 'DE');
          const invoice = `INV-H${c.declarationId.slice(-6)}-${rng.chars(6)}`;
          c.documents = c.documents.filter((x) => x.code !== 'N935');
          c.documents.push({ code: 'N935', reference: invoice, status: 'AC', reason: '' });
          const rest = [...pool];
          const picked: GoodsItem[] = [];
          while (picked.length < C20_LINES) picked.push(rest.splice(rng.int(0, rest.length - 1), 1)[0]!);
          const truths: TruthEntry[] = [];
          c.items = picked.map((src, k) => {
            const it = u112ClaimLine(src, k + 1, invoice);
            const cv = cvOf(it);
            const rate = ordinary.get(goodsKey(d.importerEori, it))!;
            reprice(it, cv, 0n);
            const saved = taxPence(cv, rate);
            truths.push({
              declarationId: c.declarationId,
              mrn: c.mrn,
              itemNumber: k + 1,
              ruleId: 'C20',
              exposureDutyPence: Number(saved),
              exposureVatPence: Number(taxPence(cv + saved, VAT_RATE) - taxPence(cv, VAT_RATE)),
              reclaimDutyPence: 0,
              reclaimVatPence: 0,
              note: `${name}: all ${C20_LINES} claims on importer's knowledge; saving at the ${ratePercent(rate)}% third-country rate`,
            });
            return it;
          });
          const cents = c.items.reduce((x, it) => x + toScaled(it.itemPrice!.value, 2), 0n);
          c.invoiceAmount = { value: (Number(cents) / 100).toFixed(2), currency: c.items[0]!.itemPrice!.currency };
          c.totalGrossMassKg = (Number(c.items.reduce((x, it) => x + toScaled(it.grossMassKg, 3), 0n)) / 1000).toFixed(3);
          c.adjustments = [];
          c.customsValuePresent = false;
          c.customsValuePence = 0;
          emit(c, truths, 'C20');
        }
      } else if (pick('C34')) {
        // A returned-goods entry re-imported again against the same export (same export MRN and
        // item, new invoice), of goods the importer also imports at their third-country rate.
        const orig = [...(returns.get(d.importerEori) ?? [])]
          .reverse()
          .find((o) => o.acceptanceDate < d.acceptanceDate && o.items.every((it) => !it.procedureCode.startsWith('61') || ordinary.has(goodsKey(d.importerEori, it))));
        if (orig) {
          const c = copyAsNew(orig, `c34${k}`, rng);
          c.acceptanceDate = d.acceptanceDate;
          const truths: TruthEntry[] = [];
          for (const it of c.items) {
            if (!it.procedureCode.startsWith('61')) continue;
            const cv = cvOf(it);
            const rate = ordinary.get(goodsKey(d.importerEori, it))!;
            const relieved = taxPence(cv, rate);
            truths.push({
              declarationId: c.declarationId,
              mrn: c.mrn,
              itemNumber: it.itemNumber,
              ruleId: 'C34',
              exposureDutyPence: Number(relieved),
              exposureVatPence: Number(taxPence(cv + relieved, VAT_RATE) - taxPence(cv, VAT_RATE)),
              reclaimDutyPence: 0,
              reclaimVatPence: 0,
              note: `second re-import against export ${it.previousDocuments[0]?.reference} (first: ${orig.mrn}); relieved duty at ${ratePercent(rate)}%`,
            });
          }
          if (truths.length) emit(c, truths, 'C34');
        }
      } else if (pick('C20E')) {
        // A new EU supplier (DE) for one complex good the importer buys at its third-country rate,
        // claimed at 0 % (preference 300) on importer's knowledge (U112) alone: one line, so the
        // concentration criterion (≥ 10 claim lines) stays silent and only the missing evidence speaks.
        const pool = (ordinaryLines.get(d.importerEori) ?? []).filter((it) => !WHOLLY_OBTAINED.test(it.commodityCode));
        if (pool.length) {
          const c = copyAsNew(d, 'c20e', rng);
          const name = `Lieferant ${rng.chars(5, 'ABCDEFGHJKLMNPRSTUVWZ')} GmbH`;
          for (const p of c.parties) if (p.role === 'seller' || p.role === 'exporter' || p.role === 'consignor') (p.id = ''), (p.name = name), (p.countryCode = 'DE');
          const invoice = `INV-L${c.declarationId.slice(-6)}-${rng.chars(6)}`;
          c.documents = c.documents.filter((x) => x.code !== 'N935');
          c.documents.push({ code: 'N935', reference: invoice, status: 'AC', reason: '' });
          const it = u112ClaimLine(rng.pick(pool), 1, invoice);
          const cv = cvOf(it);
          const rate = ordinary.get(goodsKey(d.importerEori, it))!;
          reprice(it, cv, 0n);
          const saved = taxPence(cv, rate);
          c.items = [it];
          c.invoiceAmount = { value: it.itemPrice!.value, currency: it.itemPrice!.currency };
          c.totalGrossMassKg = it.grossMassKg;
          c.adjustments = [];
          c.customsValuePresent = false;
          c.customsValuePence = 0;
          emit(
            c,
            [
              {
                declarationId: c.declarationId,
                mrn: c.mrn,
                itemNumber: 1,
                ruleId: 'C20',
                exposureDutyPence: Number(saved),
                exposureVatPence: Number(taxPence(cv + saved, VAT_RATE) - taxPence(cv, VAT_RATE)),
                reclaimDutyPence: 0,
                reclaimVatPence: 0,
                note: `evidence gap: ${name}, U112 on chapter ${it.commodityCode.slice(0, 2)} goods with no origin evidence on file; saving at the ${ratePercent(rate)}% third-country rate`,
              },
            ],
            C20_EVIDENCE_GAP,
          );
        }
      }
    }
    for (const it of d.items)
      if (it.procedureCode === '4000' && it.preference === '100' && a00(it) && toScaled(a00(it)!.rate || '0', 4) > 0n) {
        ordinary.set(goodsKey(d.importerEori, it), toScaled(a00(it)!.rate, 4));
        const list = ordinaryLines.get(d.importerEori) ?? [];
        list.push(it);
        if (list.length > 60) list.shift();
        ordinaryLines.set(d.importerEori, list);
      }
    if (isReturn(d)) {
      const list = returns.get(d.importerEori) ?? [];
      list.push(d);
      if (list.length > 10) list.shift();
      returns.set(d.importerEori, list);
    }
    for (const it of d.items) {
      bump(supplierGroups, `${importerOf(d)}|${sellerOf(d)}|${norm(it.description)}`);
      bump(descGroups, `${importerOf(d)}|${norm(it.description)}`);
      bump(valueGroups, `${importerOf(d)}|${it.commodityCode.slice(0, 8)}|${it.originCountry}`);
    }
    importerCount.set(d.importerEori, (importerCount.get(d.importerEori) ?? 0) + 1);
    ring.push(d);
    if (ring.length > 200) ring.shift();
    for (const x of derived) yield x;
    k++;
  }
}

function priced(dDuty: bigint, dVat: bigint): Partial<TruthEntry> {
  // Positive = the established code charges more (underpaid); negative = overpaid (reclaim; VAT recovered on the VAT return).
  return dDuty >= 0n ? { exposureDutyPence: Number(dDuty), exposureVatPence: Number(dVat) } : { reclaimDutyPence: Number(-dDuty) };
}

/** Another catalogue code of the same chapter with another CN8 and another ad valorem rate. */
function pickOtherCode(catalogue: readonly Product[], product: Product | undefined, rng: Rng, rate: bigint): Product | undefined {
  if (!product) return undefined;
  const same = catalogue.filter((p) => p.code.slice(0, 2) === product.code.slice(0, 2) && p.code.slice(0, 8) !== product.code.slice(0, 8) && p.mfnRate !== rate);
  return same.length ? rng.pick(same) : undefined;
}

/** One entry of an importer's origin evidence register, as scoring's POST /v1/importers/:id/origin-evidence takes it. */
export interface OriginEvidenceEntry {
  importer: string;
  body: { supplierId?: string; supplierName?: string; supplierCountry?: string; kind: 'supplier_statement'; validFrom: string; validTo: string; reference: string };
}

/**
 * The origin evidence register an importer keeping one would hold for a generated history: one
 * supplier's statement on origin per (importer, supplier) of the stream, valid over the supplier's
 * declarations (so every importer keeps a register and every U112 claim of the clean stream is
 * covered) — except the suppliers of the C20E cases, whose missing evidence is the error.
 * Suppliers are named as scoring keys them (the first seller/exporter/consignor: its id, else name and country).
 */
export function originEvidenceRegister(generated: Iterable<GeneratedDeclaration>): OriginEvidenceEntry[] {
  const spans = new Map<string, { importer: string; party: { id: string; name: string; countryCode: string }; from: string; to: string }>();
  const gaps = new Set<string>();
  const all = [...generated];
  const supplierOf = (d: Declaration) => ['seller', 'exporter', 'consignor'].map((r) => d.parties.find((p) => p.role === r && (p.id || p.name))).find(Boolean);
  const keyOf = (d: Declaration, p: { id: string; name: string; countryCode: string }) => `${d.importerEori}|${p.id ? norm(p.id) : `${norm(p.name)}|${p.countryCode}`}`;
  for (const g of all) {
    const p = supplierOf(g.declaration);
    if (p && g.injected.includes(C20_EVIDENCE_GAP)) gaps.add(keyOf(g.declaration, p));
  }
  for (const g of all) {
    const d = g.declaration;
    const p = supplierOf(d);
    if (!p || !d.acceptanceDate) continue;
    const k = keyOf(d, p);
    if (gaps.has(k)) continue;
    const s = spans.get(k) ?? { importer: d.importerEori, party: p, from: d.acceptanceDate, to: d.acceptanceDate };
    if (d.acceptanceDate < s.from) s.from = d.acceptanceDate;
    if (d.acceptanceDate > s.to) s.to = d.acceptanceDate;
    spans.set(k, s);
  }
  return [...spans.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, s], i) => ({
      importer: s.importer,
      body: {
        ...(s.party.id ? { supplierId: s.party.id } : { supplierName: s.party.name, supplierCountry: s.party.countryCode }),
        kind: 'supplier_statement' as const,
        validFrom: s.from,
        validTo: s.to,
        reference: `SOO-${i + 1}`,
      },
    }));
}

/** A copy of an item as a U112 preference claim from Germany (DE 4/17 300, origin evidence: the importer's knowledge), under the given invoice. */
function u112ClaimLine(src: GoodsItem, itemNumber: number, invoice: string): GoodsItem {
  const it = GoodsItem.decode(GoodsItem.encode(src).finish());
  it.itemNumber = itemNumber;
  it.originCountry = 'DE';
  it.dispatchCountry = 'DE';
  it.preferentialOrigin = 'DE';
  it.preference = '300';
  it.documents = [
    { code: 'N935', reference: invoice, status: 'AC', reason: '' },
    { code: 'U112', reference: '', status: 'JE', reason: "Importer's knowledge" },
  ];
  return it;
}
