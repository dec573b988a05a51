// Single realistic errors injected into HMRC's own sample declarations (DMS XML), one mutation per
// mutant, written from each rule's business meaning (what a broker or ERP gets wrong), not from the
// rule's code. Every mutation edits the XML text, so the mutant goes through the real DMS parser.
// Used by real-samples-mutation.unit.test.ts (test support, not part of the service).
import type { Declaration, GoodsItem } from '@customs/contracts';

/** What the test knows about the sample being mutated. */
export interface SampleContext {
  xml: string;
  declaration: Declaration;
  /** Is the code a declarable leaf of the nomenclature on the date? undefined = not known. */
  declarable(code: string, date: string): boolean | undefined;
  /** The code's third-country duty expression on the date as the tariff publishes it ("" unknown). */
  thirdCountryDuty(code: string, date: string): string;
}

export interface Mutation {
  /** The rule whose business meaning the mutation violates. */
  ruleId: string;
  kind: string;
  /** Item the finding is expected on (0 = header-level finding). */
  itemNumber: number;
  xml: string;
  /**
   * Other rules that, by their own business meaning, must also report this error (the same
   * defect seen from another angle); their findings are not collateral.
   */
  alsoExpected?: string[];
  /** Money the finding must carry; undefined = the test does not know what the exact amount is. */
  expectedPence?: { exposureDuty: number; exposureVat: number; reclaimDuty: number; reclaimVat: number };
}

export interface MutationKind {
  ruleId: string;
  kind: string;
  /** One mutant of the sample, or null when the mutation does not apply to it. */
  mutate(s: SampleContext): Omit<Mutation, 'ruleId' | 'kind'> | null;
}

/** Comments removed (the annotated samples comment every element): mutations edit elements only. */
export function stripComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, '');
}

interface Span {
  start: number;
  end: number;
}

/** The n-th (1-based) goods item element. */
function itemSpan(xml: string, n: number): Span | undefined {
  const re = /<GovernmentAgencyGoodsItem>[\s\S]*?<\/GovernmentAgencyGoodsItem>/g;
  let m: RegExpExecArray | null;
  let i = 0;
  while ((m = re.exec(xml))) if (++i === n) return { start: m.index, end: m.index + m[0].length };
  return undefined;
}

/** Applies `f` to item n's XML; null when the item is missing or `f` declines. */
function onItem(xml: string, n: number, f: (block: string) => string | null): string | null {
  const s = itemSpan(xml, n);
  if (!s) return null;
  const out = f(xml.slice(s.start, s.end));
  return out === null ? null : xml.slice(0, s.start) + out + xml.slice(s.end);
}

/** The header part: everything outside the goods items (before and after them). */
function onHeader(xml: string, f: (header: string) => string | null): string | null {
  const first = xml.indexOf('<GovernmentAgencyGoodsItem>');
  const last = xml.lastIndexOf('</GovernmentAgencyGoodsItem>');
  if (first < 0 || last < 0) return f(xml);
  const tailStart = last + '</GovernmentAgencyGoodsItem>'.length;
  const MARK = '<!--goods-items-->';
  const out = f(xml.slice(0, first) + MARK + xml.slice(tailStart));
  return out === null ? null : out.replace(MARK, xml.slice(first, tailStart));
}

/** Replaces the text of the first `<tag>` inside `block` for which `f` returns a string. */
function setText(block: string, tag: string, f: (old: string) => string | null): string | null {
  const re = new RegExp(`(<${tag}(?:\\s[^>]*)?>)([^<]*)(</${tag}>)`);
  const m = re.exec(block);
  if (!m) return null;
  const v = f(m[2]!);
  if (v === null) return null;
  return block.slice(0, m.index) + m[1] + v + m[3] + block.slice(m.index + m[0].length);
}

/** Element blocks `<tag>…</tag>` (not nested in themselves) in `block`. */
function blocks(block: string, tag: string): { text: string; start: number; end: number }[] {
  const re = new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, 'g');
  const out: { text: string; start: number; end: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(block))) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

const textOf = (block: string, tag: string): string => new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(block)?.[1]?.trim() ?? '';

/** Removes the blocks matching `pred`; null when none matched. */
function removeBlocks(block: string, tag: string, pred: (b: string) => boolean): string | null {
  const hits = blocks(block, tag).filter((b) => pred(b.text));
  if (hits.length === 0) return null;
  let out = block;
  for (const h of [...hits].reverse()) out = out.slice(0, h.start) + out.slice(h.end);
  return out;
}

/** Edits the first matching block. */
function editBlock(block: string, tag: string, pred: (b: string) => boolean, f: (b: string) => string | null): string | null {
  const h = blocks(block, tag).find((b) => pred(b.text));
  if (!h) return null;
  const v = f(h.text);
  return v === null ? null : block.slice(0, h.start) + v + block.slice(h.end);
}

const isDoc = (cat: string, type: string) => (b: string) => textOf(b, 'CategoryCode') === cat && textOf(b, 'TypeCode') === type;

/** Inserts `snippet` right after the item's SequenceNumeric (DMS order: documents come next). */
function insertAfterSequence(block: string, snippet: string): string | null {
  const m = /<SequenceNumeric>[^<]*<\/SequenceNumeric>/.exec(block);
  if (!m) return null;
  const at = m.index + m[0].length;
  return block.slice(0, at) + snippet + block.slice(at);
}

/** AI 00500: the declaration itself says the importer is the declarant (then no agent is involved). */
const selfRepresented = (d: Declaration) => [...d.additionalInformation, ...d.items.flatMap((i) => i.additionalInformation)].some((a) => a.code === '00500');
// Chargeable by its meaning: free circulation with no additional procedure claimed at all.
const noAdditionalProcedure = (i: GoodsItem) => i.additionalProcedureCodes.every((a) => a === '000' || a === '');
const item1 = (d: Declaration): GoodsItem | undefined => d.items.find((i) => i.itemNumber === 1);
const freeCirculation = (i: GoodsItem) => /^4[0-9]/.test(i.procedureCode) && !i.procedureCode.startsWith('44');
const EORI = /^(GB|XI)\d{12}$/;
const INVOICE_TYPES = ['935', '325', '380'];
// Proof of origin by its meaning: the U-series statements/proofs, EUR.1 (N954), invoice declaration (N864).
const isProofCode = (code: string) => /^U\d{3}$/.test(code) || code === 'N954' || code === 'N864';
const isProofDoc = (b: string) => isProofCode(`${textOf(b, 'CategoryCode')}${textOf(b, 'TypeCode')}`);
const isPreferential = (i: GoodsItem) => /^[23]/.test(i.preference);
const digitsOnly = (s: string) => /^\d+(\.\d+)?$/.test(s);
const NO_MONEY = { exposureDuty: 0, exposureVat: 0, reclaimDuty: 0, reclaimVat: 0 };

/** The item price as a number, when simple. */
const price = (i: GoodsItem | undefined): number | undefined => (i?.itemPrice && digitsOnly(i.itemPrice.value) ? Number(i.itemPrice.value) : undefined);

// Placeholders brokers key where they do not have the reference yet (seen in CDS error feedback
// and broker guidance): each is its own mutation kind.
const PLACEHOLDERS = ['TBC', 'N/A', 'UNKNOWN', 'to follow', 'TBA', '0000'];

// Descriptions that name no goods: the generic word alone, its plural, with "and accessories",
// "various …" and invoice references (HMRC's guidance on DE 6/8 lists these as unacceptable).
const VAGUE_VARIANTS = ['Parts', 'parts and accessories', 'Various goods', 'Spares', 'General merchandise', 'Samples', 'As per invoice', 'Goods', 'Accessories'];

export const MUTATION_KINDS: MutationKind[] = [
  // C01 — identifiers keyed wrongly (DE 3/16, 3/18, 2/6).
  {
    ruleId: 'C01',
    kind: 'importer EORI with a digit dropped',
    mutate: ({ xml, declaration: d }) =>
      EORI.test(d.importerEori)
        ? {
            itemNumber: 0,
            xml:
              onHeader(xml, (h) =>
                editBlock(
                  h,
                  'Importer',
                  () => true,
                  (b) => setText(b, 'ID', (v) => v.slice(0, -1)),
                ),
              ) ?? '',
          }
        : null,
  },
  {
    ruleId: 'C01',
    kind: 'declarant EORI with the letter O keyed for a zero',
    mutate: ({ xml }) => {
      const out = onHeader(xml, (h) =>
        editBlock(
          h,
          'Declarant',
          () => true,
          (b) => setText(b, 'ID', (v) => (EORI.test(v) && v.slice(2).includes('0') ? v.slice(0, 2) + v.slice(2).replace('0', 'O') : null)),
        ),
      );
      return out ? { itemNumber: 0, xml: out } : null;
    },
  },
  {
    ruleId: 'C01',
    kind: 'deferment account (DAN) keyed with six digits',
    mutate: ({ xml }) => {
      const out = onHeader(xml, (h) =>
        editBlock(
          h,
          'AdditionalDocument',
          (b) => textOf(b, 'TypeCode') === 'DAN',
          (b) => setText(b, 'ID', (v) => (/^\d{7}$/.test(v) ? v.slice(1) : null)),
        ),
      );
      return out ? { itemNumber: 0, xml: out } : null;
    },
  },
  {
    ruleId: 'C01',
    kind: 'importer EORI without its GB prefix',
    mutate: ({ xml, declaration: d }) =>
      EORI.test(d.importerEori)
        ? {
            itemNumber: 0,
            xml:
              onHeader(xml, (h) =>
                editBlock(
                  h,
                  'Importer',
                  () => true,
                  (b) => setText(b, 'ID', (v) => v.slice(2)),
                ),
              ) ?? '',
          }
        : null,
  },

  // C02 — another party declares in the importer's name without saying how it represents it.
  {
    ruleId: 'C02',
    kind: 'representation status (DE 3/21) left out by the agent',
    mutate: ({ xml, declaration: d }) => {
      const declarant = d.parties.find((p) => p.role === 'declarant')?.id ?? '';
      if (!declarant || !d.importerEori || declarant === d.importerEori || !['2', '3'].includes(d.representativeStatus) || selfRepresented(d)) return null;
      const out = onHeader(xml, (h) => removeBlocks(h, 'Agent', () => true));
      return out ? { itemNumber: 0, xml: out } : null;
    },
  },
  {
    ruleId: 'C02',
    kind: 'self-filed entry keyed with the broker’s EORI as declarant',
    mutate: ({ xml, declaration: d }) => {
      const declarant = d.parties.find((p) => p.role === 'declarant')?.id ?? '';
      if (!EORI.test(d.importerEori) || declarant !== d.importerEori || d.representativeStatus) return null;
      if (selfRepresented(d)) return null;
      const out = onHeader(xml, (h) =>
        editBlock(
          h,
          'Declarant',
          () => true,
          (b) => setText(b, 'ID', () => 'GB987654321000'),
        ),
      );
      return out ? { itemNumber: 0, xml: out } : null;
    },
  },
  {
    ruleId: 'C02',
    kind: 'representation status keyed as 1 (declarant acting for itself) by an agent',
    mutate: ({ xml, declaration: d }) => {
      const declarant = d.parties.find((p) => p.role === 'declarant')?.id ?? '';
      if (!declarant || !d.importerEori || declarant === d.importerEori || !['2', '3'].includes(d.representativeStatus) || selfRepresented(d)) return null;
      const out = onHeader(xml, (h) =>
        editBlock(
          h,
          'Agent',
          () => true,
          (b) => setText(b, 'FunctionCode', () => '1'),
        ),
      );
      return out ? { itemNumber: 0, xml: out } : null;
    },
  },

  // C03 — the invoice reference is a placeholder: the entry cannot be matched to a receipt.
  ...['TBC', 'N/A', 'UNKNOWN', 'to follow', 'TBA'].map(
    (ph): MutationKind => ({
      ruleId: 'C03',
      kind: `invoice reference keyed as "${ph}"`,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        if (!it || d.documents.some((x) => ['N935', 'N325', 'N380'].includes(x.code))) return null;
        if (d.items.some((i) => i.itemNumber !== 1 && !i.documents.some((x) => ['N935', 'N325', 'N380'].includes(x.code)))) return null;
        const out = onItem(xml, 1, (b) => {
          const invoices = blocks(b, 'AdditionalDocument').filter((x) => textOf(x.text, 'CategoryCode') === 'N' && INVOICE_TYPES.includes(textOf(x.text, 'TypeCode')));
          if (invoices.length === 0) return null;
          let o = b;
          for (const inv of [...invoices].reverse()) o = o.slice(0, inv.start) + inv.text.replace(/<ID>[^<]*<\/ID>/, `<ID>${ph}</ID>`) + o.slice(inv.end);
          return o;
        });
        return out ? { itemNumber: 0, xml: out, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C04 — masses keyed wrongly.
  {
    ruleId: 'C04',
    kind: 'net and gross mass swapped',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !digitsOnly(it.netMassKg) || !digitsOnly(it.grossMassKg) || !(Number(it.netMassKg) < Number(it.grossMassKg))) return null;
      const out = onItem(xml, 1, (b) => {
        const g = setText(b, 'GrossMassMeasure', () => it.netMassKg);
        return g && setText(g, 'NetNetWeightMeasure', () => it.grossMassKg);
      });
      return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C04',
    kind: 'net mass keyed as 0',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      // Mass matters for an item with a value (what duty and statistics are computed on).
      if (!it || !(Number(it.netMassKg) > 0) || !(it.itemPrice || it.customsValuePresent)) return null;
      const out = onItem(xml, 1, (b) => setText(b, 'NetNetWeightMeasure', () => '0'));
      return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C04',
    kind: 'gross mass with a digit dropped (below the net mass)',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !/^\d{2,}$/.test(it.grossMassKg) || !(Number(it.grossMassKg.slice(0, -1)) < Number(it.netMassKg))) return null;
      const out = onItem(xml, 1, (b) => setText(b, 'GrossMassMeasure', (v) => v.slice(0, -1)));
      return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
    },
  },

  // C05 — invoice total (DE 4/11) that does not add up to the item prices (not a power-of-ten slip).
  ...(
    [
      ['invoice total with two digits transposed', (v: string) => (/^\d{2,}/.test(v) && v[0] !== v[1] ? v[1]! + v[0]! + v.slice(2) : null)],
      ['invoice total with one digit mistyped', (v: string) => (/^[1-8]/.test(v) ? String(Number(v[0]) + 1) + v.slice(1) : null)],
      ['invoice total keyed without the last item', (v: string) => v],
    ] as const
  ).map(
    ([kind, f]): MutationKind => ({
      ruleId: 'C05',
      kind,
      mutate: ({ xml, declaration: d }) => {
        if (!d.invoiceAmount || !digitsOnly(d.invoiceAmount.value)) return null;
        const prices = d.items.map(price);
        if (prices.some((p) => p === undefined) || d.items.some((i) => i.itemPrice!.currency !== d.invoiceAmount!.currency)) return null;
        const sum = prices.reduce((s, p) => s! + p!, 0)!;
        if (Math.abs(sum - Number(d.invoiceAmount.value)) > 0.005) return null;
        let next: string | null;
        if (kind === 'invoice total keyed without the last item') {
          if (d.items.length < 2) return null;
          next = (sum - prices[prices.length - 1]!).toFixed(2);
        } else next = f(d.invoiceAmount.value);
        if (next === null) return null;
        const ratio = Number(next) / sum;
        if (!(ratio > 0) || Math.abs(Math.log10(ratio) - Math.round(Math.log10(ratio))) < 1e-9) return null; // a ×/÷ 10^k slip is C31's
        const out = onHeader(xml, (h) => setText(h, 'InvoiceAmount', () => next!));
        return out ? { itemNumber: 0, xml: out, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C07 — chargeable goods without a value.
  {
    ruleId: 'C07',
    kind: 'item price left out (no value and no tax lines)',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !freeCirculation(it) || !noAdditionalProcedure(it) || it.customsValuePresent || !it.itemPrice) return null;
      const out = onItem(xml, 1, (b) => removeBlocks(b, 'InvoiceLine', () => true));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C05', 'C31'], expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C07',
    kind: 'item price keyed as 0',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !freeCirculation(it) || !noAdditionalProcedure(it) || it.customsValuePresent || !it.itemPrice) return null;
      const out = onItem(xml, 1, (b) => setText(b, 'ItemChargeAmount', () => '0'));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C05', 'C31'], expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C07',
    kind: 'nominal £1 price on 100 kg or more',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !freeCirculation(it) || !noAdditionalProcedure(it) || it.customsValuePresent || it.itemPrice?.currency !== 'GBP' || !(Number(it.netMassKg) >= 100)) return null;
      const out = onItem(xml, 1, (b) => setText(b, 'ItemChargeAmount', () => '1'));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C05', 'C31'], expectedPence: NO_MONEY } : null;
    },
  },

  // C08 — commodity code keyed wrongly (only where the nomenclature says the result is not declarable).
  ...(
    [
      ['two digits of the CN code transposed', (c: string) => c.slice(0, 4) + c[5] + c[4] + c.slice(6)],
      ['last CN digit dropped and the TARIC suffix shifted', (c: string) => c.slice(0, 7) + '0' + c.slice(8)],
      ['heading keyed one higher', (c: string) => c.slice(0, 2) + String((Number(c.slice(2, 4)) % 99) + 1).padStart(2, '0') + c.slice(4)],
    ] as const
  ).map(
    ([kind, f]): MutationKind => ({
      ruleId: 'C08',
      kind,
      mutate: ({ xml, declaration: d, declarable }) => {
        const it = item1(d);
        if (!it || !/^\d{10}$/.test(it.commodityCode) || declarable(it.commodityCode, d.acceptanceDate) !== true) return null;
        const next = f(it.commodityCode);
        if (next === it.commodityCode || declarable(next, d.acceptanceDate) !== false) return null;
        const out = onItem(xml, 1, (b) =>
          editBlock(
            b,
            'Classification',
            (x) => textOf(x, 'IdentificationTypeCode') === 'TSP',
            (x) => setText(x, 'ID', () => next.slice(0, 8)),
          ),
        );
        const out2 =
          out && next.slice(8) !== it.commodityCode.slice(8)
            ? onItem(out, 1, (b) =>
                editBlock(
                  b,
                  'Classification',
                  (x) => textOf(x, 'IdentificationTypeCode') === 'TRC',
                  (x) => setText(x, 'ID', () => next.slice(8)),
                ),
              )
            : out;
        return out2 ? { itemNumber: 1, xml: out2, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C09 — the duty amount keyed or computed wrongly (an override the broker typed in, AI OVR01).
  // Only overcharges: an undercharge with no preference claimed may be a suspension the bundled
  // tariff does not list, so the rule records it as not checked instead.
  ...(
    [
      ['duty keyed at ten times the tariff amount (decimal slip)', (due: number) => due * 10],
      ['duty computed at 25 % instead of the tariff rate', (_due: number, cv: number) => Math.floor((cv * 25) / 100)],
      ['duty keyed £50 too high (typing slip)', (due: number) => due + 5000],
    ] as const
  ).map(
    ([kind, wrong]): MutationKind => ({
      ruleId: 'C09',
      kind,
      mutate: ({ xml, declaration: d, thirdCountryDuty }) => {
        const it = item1(d);
        if (
          !it ||
          d.items.length !== 1 ||
          !/^40/.test(it.procedureCode) ||
          !noAdditionalProcedure(it) ||
          it.preference !== '100' ||
          it.itemPrice?.currency !== 'GBP' ||
          it.adjustments.length ||
          d.adjustments.length ||
          it.customsValuePresent
        )
          return null;
        if (it.taxLines.some((t) => t.payablePence > 0) || !it.taxLines.some((t) => t.taxType === 'A00')) return null;
        const m = /^(\d+(?:\.\d+)?)%$/.exec(thirdCountryDuty(`${it.commodityCode}`.padEnd(10, '0'), d.acceptanceDate).trim());
        const p = price(it);
        if (!m || p === undefined || !Number.isInteger(p * 100)) return null;
        const cv = Math.round(p * 100);
        // Due = customs value × rate, rounded down to the penny (basis points to stay exact).
        const due = Math.floor((cv * Math.round(Number(m[1]) * 100)) / 10000);
        const charged = wrong(due, cv);
        if (!(due > 0) || charged - due <= 100) return null;
        const amount = (charged / 100).toFixed(2);
        let out = onItem(xml, 1, (b) =>
          editBlock(
            b,
            'DutyTaxFee',
            (x) => textOf(x, 'TypeCode') === 'A00',
            (x) => x.replace('</Payment>', `<TaxAssessedAmount currencyID="GBP">${amount}</TaxAssessedAmount><PaymentAmount currencyID="GBP">${amount}</PaymentAmount></Payment>`),
          ),
        );
        out =
          out &&
          onItem(out, 1, (b) =>
            insertAfterSequence(b, '<AdditionalInformation><StatementCode>OVR01</StatementCode><StatementDescription>Duty override claimed</StatementDescription></AdditionalInformation>'),
          );
        return out ? { itemNumber: 1, xml: out, expectedPence: { exposureDuty: 0, exposureVat: 0, reclaimDuty: charged - due, reclaimVat: 0 } } : null;
      },
    }),
  ),

  // C12 — descriptions that name no goods.
  ...VAGUE_VARIANTS.map(
    (text): MutationKind => ({
      ruleId: 'C12',
      kind: `description replaced by "${text}"`,
      mutate: ({ xml, declaration: d }) => {
        if (!item1(d)?.description) return null;
        const out = onItem(xml, 1, (b) => setText(b, 'Description', () => text));
        return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C16 — preference claimed, proof left off the item.
  {
    ruleId: 'C16',
    kind: 'proof of origin document removed',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !isPreferential(it) || d.documents.some((x) => isProofCode(x.code))) return null;
      const out = onItem(xml, 1, (b) => removeBlocks(b, 'AdditionalDocument', isProofDoc));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C18'] } : null;
    },
  },
  {
    ruleId: 'C16',
    kind: 'MFN entry switched to preference 300 without any proof',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || it.preference !== '100' || !freeCirculation(it) || it.documents.some((x) => isProofCode(x.code)) || d.documents.some((x) => isProofCode(x.code))) return null;
      const out = onItem(xml, 1, (b) => setText(b, 'DutyRegimeCode', () => '300'));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C17', 'C18', 'C19', 'C25'] } : null;
    },
  },
  {
    ruleId: 'C16',
    kind: 'proof of origin reference replaced by a placeholder document code 999L',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !isPreferential(it) || d.documents.some((x) => isProofCode(x.code))) return null;
      const out = onItem(xml, 1, (b) => editBlock(b, 'AdditionalDocument', isProofDoc, (x) => setText(setText(x, 'CategoryCode', () => '9')!, 'TypeCode', () => '99L')));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C18'] } : null;
    },
  },

  // C19 — preference without the country of preferential origin.
  {
    ruleId: 'C19',
    kind: 'preferential origin (DE 5/16) left out',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !isPreferential(it) || !it.preferentialOrigin) return null;
      const out = onItem(xml, 1, (b) => removeBlocks(b, 'Origin', (x) => textOf(x, 'TypeCode') === '2'));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C17', 'C18', 'C25'], expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C19',
    kind: 'preferential origin keyed as a blank country',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !isPreferential(it) || !it.preferentialOrigin) return null;
      const out = onItem(xml, 1, (b) =>
        editBlock(
          b,
          'Origin',
          (x) => textOf(x, 'TypeCode') === '2',
          (x) => setText(x, 'CountryCode', () => ''),
        ),
      );
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C17', 'C18', 'C25'], expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C19',
    kind: 'preference 300 claimed on an MFN entry that has only the non-preferential origin',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || it.preference !== '100' || it.preferentialOrigin || !freeCirculation(it)) return null;
      const out = onItem(xml, 1, (b) => setText(b, 'DutyRegimeCode', () => '300'));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C16', 'C17', 'C18', 'C25'], expectedPence: NO_MONEY } : null;
    },
  },

  // C24 — quota order number with a non-quota preference.
  ...(
    [
      ['quota order number kept, preference keyed as 100', '100'],
      ['quota order number kept, preference keyed as 300', '300'],
      ['quota order number kept, preference keyed as 200', '200'],
    ] as const
  ).map(
    ([kind, pref]): MutationKind => ({
      ruleId: 'C24',
      kind,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        if (!it || !it.quotaOrderNumber || it.preference === pref) return null;
        const out = onItem(xml, 1, (b) => setText(b, 'DutyRegimeCode', () => pref));
        return out ? { itemNumber: 1, xml: out, alsoExpected: ['C16', 'C17', 'C18', 'C19', 'C25', 'C35'] } : null;
      },
    }),
  ),
  {
    ruleId: 'C24',
    kind: 'quota order number added to an MFN line',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || it.quotaOrderNumber || it.preference !== '100') return null;
      const out = onItem(xml, 1, (b) =>
        editBlock(
          b,
          'DutyTaxFee',
          (x) => textOf(x, 'DutyRegimeCode') === '100',
          (x) => x.replace('</DutyRegimeCode>', '</DutyRegimeCode><QuotaOrderID>054001</QuotaOrderID>'),
        ),
      );
      return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
    },
  },

  // C26 — E/F-term purchase without freight added.
  ...(['FOB', 'EXW', 'FCA'] as const).map(
    (term): MutationKind => ({
      ruleId: 'C26',
      kind: `CIF/CFR terms rekeyed as ${term}, no freight added`,
      mutate: ({ xml, declaration: d }) => {
        if (!/^(CIF|CIP|CFR|CPT)$/.test(d.incoterm) || d.items.some((i) => i.adjustments.length > 0) || d.adjustments.length > 0) return null;
        if (d.items.some((i) => i.customsValuePresent)) return null;
        const out = onHeader(xml, (h) =>
          editBlock(
            h,
            'TradeTerms',
            () => true,
            (x) => setText(x, 'ConditionCode', () => term),
          ),
        );
        return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C28 — the valuation method's document is missing.
  {
    ruleId: 'C28',
    kind: 'commercial invoice (N935) removed on a transaction-value entry',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || it.valuationMethod !== '1' || d.documents.some((x) => ['N935', 'N325'].includes(x.code))) return null;
      const out = onItem(xml, 1, (b) => removeBlocks(b, 'AdditionalDocument', (x) => textOf(x, 'CategoryCode') === 'N' && ['935', '325'].includes(textOf(x, 'TypeCode'))));
      return out ? { itemNumber: 1, xml: out, alsoExpected: ['C03'], expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C28',
    kind: 'valuation method 1 rekeyed as 4 without a worksheet',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || it.valuationMethod !== '1' || it.documents.some((x) => x.code === '9WKS')) return null;
      const out = onItem(xml, 1, (b) =>
        editBlock(
          b,
          'CustomsValuation',
          () => true,
          (x) => setText(x, 'MethodCode', () => '4'),
        ),
      );
      return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
    },
  },
  {
    ruleId: 'C28',
    kind: 'valuation method 1 rekeyed as 5 (deductive) without a worksheet',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || it.valuationMethod !== '1' || it.documents.some((x) => x.code === '9WKS')) return null;
      const out = onItem(xml, 1, (b) =>
        editBlock(
          b,
          'CustomsValuation',
          () => true,
          (x) => setText(x, 'MethodCode', () => '5'),
        ),
      );
      return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
    },
  },

  // C29 — related party / proceeds flagged, nothing added.
  ...(
    [
      ['related-party indicator set (1000)', '1000'],
      ['proceeds-to-seller indicator set (0001)', '0001'],
      ['related party and proceeds both set (1001)', '1001'],
    ] as const
  ).map(
    ([kind, code]): MutationKind => ({
      ruleId: 'C29',
      kind,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        if (!it || it.valuationIndicators !== '0000' || it.adjustments.length || d.adjustments.length) return null;
        const out = onItem(xml, 1, (b) => setText(b, 'AdditionCode', (v) => (v === '0000' ? code : null)));
        return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C31 — decimal / currency keying slips on the item price.
  ...(
    [
      ['item price keyed ÷100 (decimal point two places left)', (v: number) => v / 100],
      ['item price keyed ÷10', (v: number) => v / 10],
      ['item price keyed ×10', (v: number) => v * 10],
    ] as const
  ).map(
    ([kind, f]): MutationKind => ({
      ruleId: 'C31',
      kind,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        const p = price(it);
        if (!it || p === undefined || !(p >= 100) || !d.invoiceAmount || d.items.length !== 1) return null;
        const next = f(p);
        const out = onItem(xml, 1, (b) => setText(b, 'ItemChargeAmount', () => String(Number(next.toFixed(2)))));
        return out ? { itemNumber: 1, xml: out, alsoExpected: ['C05', 'C06', 'C07'] } : null;
      },
    }),
  ),
  {
    ruleId: 'C31',
    kind: 'item price keyed in a different currency from the invoice',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it?.itemPrice || !d.invoiceAmount || it.itemPrice.currency !== d.invoiceAmount.currency) return null;
      const other = it.itemPrice.currency === 'EUR' ? 'USD' : 'EUR';
      const out = onItem(xml, 1, (b) => b.replace(/(<ItemChargeAmount[^>]*currencyID=")[A-Z]{3}"/, `$1${other}"`));
      return out && out !== xml ? { itemNumber: 1, xml: out, alsoExpected: ['C05', 'C06'] } : null;
    },
  },

  // C32 — returned goods relief without export evidence.
  {
    ruleId: 'C32',
    kind: 'export MRN previous document removed',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !it.procedureCode.startsWith('61') || d.items.length !== 1) return null;
      let out: string | null = xml;
      out = onHeader(out, (h) => removeBlocks(h, 'PreviousDocument', (x) => textOf(x, 'TypeCode') === 'MRN') ?? h);
      out = out && onItem(out, 1, (b) => removeBlocks(b, 'PreviousDocument', (x) => textOf(x, 'TypeCode') === 'MRN') ?? b);
      out = out && onItem(out, 1, (b) => removeBlocks(b, 'AdditionalDocument', (x) => textOf(x, 'CategoryCode') === 'C' && textOf(x, 'TypeCode') === '605') ?? b);
      return out && out !== xml ? { itemNumber: 1, xml: out } : null;
    },
  },
  ...(['N/A', 'TBC'] as const).map(
    (ph): MutationKind => ({
      ruleId: 'C32',
      kind: `export MRN keyed as "${ph}"`,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        if (!it || !it.procedureCode.startsWith('61') || d.items.length !== 1) return null;
        const edit = (b: string) => {
          const hits = blocks(b, 'PreviousDocument').filter((x) => textOf(x.text, 'TypeCode') === 'MRN');
          let o = b;
          for (const h of [...hits].reverse()) o = o.slice(0, h.start) + h.text.replace(/<ID>[^<]*<\/ID>/, `<ID>${ph}</ID>`) + o.slice(h.end);
          return o;
        };
        let out: string | null = onHeader(xml, edit);
        out = out && onItem(out, 1, edit);
        out = out && onItem(out, 1, (b) => removeBlocks(b, 'AdditionalDocument', (x) => textOf(x, 'CategoryCode') === 'C' && textOf(x, 'TypeCode') === '605') ?? b);
        return out && out !== xml ? { itemNumber: 1, xml: out } : null;
      },
    }),
  ),
  {
    ruleId: 'C32',
    kind: 'export MRN replaced by a non-export previous document (DUCR only)',
    mutate: ({ xml, declaration: d }) => {
      const it = item1(d);
      if (!it || !it.procedureCode.startsWith('61') || d.items.length !== 1) return null;
      const edit = (b: string) => {
        const hits = blocks(b, 'PreviousDocument').filter((x) => textOf(x.text, 'TypeCode') === 'MRN');
        let o = b;
        for (const h of [...hits].reverse())
          o = o.slice(0, h.start) + h.text.replace(/<TypeCode>MRN<\/TypeCode>/, '<TypeCode>DCR</TypeCode>').replace(/<ID>[^<]*<\/ID>/, '<ID>4GB123456789000-REF1</ID>') + o.slice(h.end);
        return o;
      };
      let out: string | null = onHeader(xml, edit);
      out = out && onItem(out, 1, edit);
      out = out && onItem(out, 1, (b) => removeBlocks(b, 'AdditionalDocument', (x) => textOf(x, 'CategoryCode') === 'C' && textOf(x, 'TypeCode') === '605') ?? b);
      return out && out !== xml ? { itemNumber: 1, xml: out } : null;
    },
  },

  // C33 — special procedure without its authorisation.
  ...(
    [
      ['authorisation holder (DE 3/39) and authorisation document removed', 'remove'],
      ['holder removed, authorisation document reference keyed as "N/A"', 'N/A'],
      ['holder removed, authorisation document reference keyed as "TBC"', 'TBC'],
    ] as const
  ).map(
    ([kind, how]): MutationKind => ({
      ruleId: 'C33',
      kind,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        if (!it || !/^(51|53|71|44)/.test(it.procedureCode) || d.items.length !== 1) return null;
        if ([...d.additionalInformation, ...it.additionalInformation].some((a) => a.code === '00100')) return null;
        const AUTH = ['C601', 'C516', 'C517', 'C518', 'C519', 'N990', 'C990'];
        const isAuth = (x: string) => AUTH.includes(textOf(x, 'CategoryCode') + textOf(x, 'TypeCode'));
        const edit = (b: string) =>
          (how === 'remove'
            ? removeBlocks(b, 'AdditionalDocument', isAuth)
            : blocks(b, 'AdditionalDocument')
                .filter((x) => isAuth(x.text))
                .reverse()
                .reduce((o, h) => o.slice(0, h.start) + h.text.replace(/<ID>[^<]*<\/ID>/, `<ID>${how}</ID>`) + o.slice(h.end), b)) ?? b;
        let out: string | null = onItem(xml, 1, edit);
        out = out && onHeader(out, edit);
        out = out && onHeader(out, (h) => removeBlocks(h, 'AuthorisationHolder', (x) => ['IPO', 'TEA', 'CW1', 'CW2', 'CWP', 'EUS', 'CWG'].includes(textOf(x, 'CategoryCode'))) ?? h);
        return out && out !== xml ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C36 — OPR re-import without a worksheet.
  ...(
    [
      ['9WKS worksheet removed', 'remove'],
      ['9WKS worksheet keyed with a wrong document code (9999)', 'code'],
      ['9WKS worksheet reference keyed as "TBC"', 'TBC'],
    ] as const
  ).map(
    ([kind, how]): MutationKind => ({
      ruleId: 'C36',
      kind,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        if (!it || !/^612[12]/.test(it.procedureCode)) return null;
        const is9wks = (x: string) => textOf(x, 'CategoryCode') === '9' && textOf(x, 'TypeCode') === 'WKS';
        const out = onItem(xml, 1, (b) =>
          how === 'remove'
            ? removeBlocks(b, 'AdditionalDocument', is9wks)
            : editBlock(b, 'AdditionalDocument', is9wks, (x) =>
                how === 'code' ? setText(x, 'TypeCode', () => '999') : x.includes('<ID>') ? x.replace(/<ID>[^<]*<\/ID>/, '<ID>TBC</ID>') : x.replace('<CategoryCode>', '<ID>TBC</ID><CategoryCode>'),
              ),
        );
        return out ? { itemNumber: 1, xml: out, expectedPence: NO_MONEY } : null;
      },
    }),
  ),

  // C41 — postponed VAT without the importer's VAT number.
  ...(
    [
      ['B00 method of payment rekeyed as G (postponed) with no VAT number', ''],
      ['postponed VAT (G) with the VAT number keyed as "N/A"', 'N/A'],
      ['postponed VAT (G) with the VAT number keyed as "TBC"', 'TBC'],
    ] as const
  ).map(
    ([kind, placeholder]): MutationKind => ({
      ruleId: 'C41',
      kind,
      mutate: ({ xml, declaration: d }) => {
        const it = item1(d);
        const b00 = it?.taxLines.find((t) => t.taxType === 'B00');
        if (!it || !b00 || b00.methodOfPayment === 'G' || d.fiscalReferences.length || it.taxLines.some((t) => t.payablePence > 0)) return null;
        let out: string | null = onItem(xml, 1, (b) =>
          editBlock(
            b,
            'DutyTaxFee',
            (x) => textOf(x, 'TypeCode') === 'B00',
            (x) => setText(x, 'MethodCode', () => 'G'),
          ),
        );
        if (placeholder)
          out =
            out &&
            onHeader(out, (h) =>
              h.includes('<GoodsShipment>') ? h.replace('<GoodsShipment>', `<GoodsShipment><DomesticDutyTaxParty><ID>${placeholder}</ID><RoleCode>FR1</RoleCode></DomesticDutyTaxParty>`) : null,
            );
        return out ? { itemNumber: 0, xml: out } : null;
      },
    }),
  ),
];
