import * as fs from 'node:fs';
import * as path from 'node:path';
import { Declaration, GoodsItem, Severity } from '@customs/contracts';
import { HISTORY_RULES, applyBatch, decideHistory, declFact, emptyState } from './index';
import { renderHistoryCatalogue } from './catalogue-doc';
import { c20Withdrawals } from './c20-importers-knowledge-concentration';

// Positive and negative fixtures per history check, through the same fold + decide as the service.

const IMPORTER = 'GB123456789000';
let seq = 0;
function decl(p: { id?: string; date?: string; declarant?: string; invoice?: string; seller?: string; items?: Partial<GoodsItem>[]; vat?: boolean }): Declaration {
  seq++;
  const id = p.id ?? `d${seq}`;
  return Declaration.fromPartial({
    tenantId: 't',
    declarationId: id,
    version: 1,
    mrn: `24GB${String(seq).padStart(13, '0')}1`,
    lrn: `L${seq}`,
    acceptanceDate: p.date ?? '2024-03-01',
    importerEori: IMPORTER,
    parties: [
      { role: 'importer', id: IMPORTER },
      { role: 'declarant', id: p.declarant ?? 'GB999999999000' },
      { role: 'seller', name: p.seller ?? 'Acme Textil GmbH', countryCode: 'CN' },
    ],
    fiscalReferences: p.vat === false ? [] : [{ role: 'FR1', vatId: 'GB123456789' }],
    documents: [{ code: 'N935', reference: p.invoice ?? `INV-${seq}`, status: 'AC', reason: '' }],
    items: (p.items ?? [{}]).map((it, i) =>
      GoodsItem.fromPartial({
        itemNumber: i + 1,
        commodityCode: '6109100010',
        description: 'Cotton T-shirts PN 1',
        originCountry: 'CN',
        preference: '100',
        procedureCode: '4000',
        customsValuePresent: true,
        customsValuePence: 100_000,
        netMassKg: '10.000',
        taxLines: [
          { taxType: 'A00', rate: '12.00', payablePence: 12_000 },
          { taxType: 'B00', rate: '20.00', payablePence: 22_400, methodOfPayment: p.vat === false ? 'E' : 'G' },
        ],
        ...it,
      }),
    ),
  });
}

function run(batches: Declaration[][]) {
  const state = emptyState();
  const out = [];
  for (const b of batches)
    out.push(
      ...decideHistory(
        applyBatch(
          state,
          b.map((d) => ({ fact: declFact(d) })),
        ),
        't',
        '2024-06-01',
        '2024-06-01T00:00:00Z',
      ),
    );
  return out;
}

describe('C37 duplicate declarations', () => {
  it('flags the later of two entries citing the same supplier invoice, reclaim = its duty, C285 "Duplicate MRN"', () => {
    const a = decl({ invoice: 'INV-1', date: '2024-03-01' });
    const b = decl({ invoice: 'INV-1', date: '2024-03-09' });
    // The later one arrives first: the verdict does not depend on arrival order.
    const f = run([[b], [a]]).filter((x) => x.ruleId === 'C37');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      declarationId: b.declarationId,
      itemNumber: 0,
      reclaimDutyPence: 12_000,
      reclaimVatPence: 0,
      correctionRoute: 'C285:Duplicate MRN',
      deadline: '2027-03-09',
      source: 'scoring',
      severity: Severity.SEVERITY_MEDIUM,
    });
    expect(f[0]!.evidence.find((e) => e.field === 'history.original_mrn')!.value).toBe(a.mrn);
  });
  it('reclaims the VAT too for an importer that is not VAT-registered; stays silent for another supplier’s invoice of the same number', () => {
    const a = decl({ invoice: 'INV-2', vat: false });
    const b = decl({ invoice: 'INV-2', date: '2024-03-05', vat: false });
    const c = decl({ invoice: 'INV-2', seller: 'Other Ltd' });
    const f = run([[a, b, c]]).filter((x) => x.ruleId === 'C37');
    expect(f.map((x) => [x.declarationId, x.reclaimVatPence])).toEqual([[b.declarationId, 22_400]]);
  });
});

describe('C11 / C10 classification', () => {
  const regular = (n: number, seller = 'Acme Textil GmbH') => Array.from({ length: n }, () => decl({ seller }));
  it('C11: a minority CN8 among ≥ 3 lines of the same supplier and description, priced at the established rate', () => {
    const drift = decl({
      items: [
        {
          commodityCode: '6110209100',
          taxLines: [
            { taxType: 'A00', rate: '8.00', payablePence: 8_000 },
            { taxType: 'B00', rate: '20.00', payablePence: 21_600 },
          ],
        },
      ],
    });
    const f = run([[drift], regular(3)]);
    expect(f.map((x) => x.ruleId)).toEqual(['C11']);
    // 12% vs 8% on £1,000: £40 duty, VAT on (CV + duty) £8.
    expect(f[0]).toMatchObject({ declarationId: drift.declarationId, itemNumber: 1, exposureDutyPence: 4_000, exposureVatPence: 800, severity: Severity.SEVERITY_HIGH });
  });
  it('C11 is silent with only 2 established lines, and for two established codes', () => {
    const drift = decl({ items: [{ commodityCode: '6110209100' }] });
    expect(run([[drift, ...regular(2)]])).toEqual([]);
    const many = Array.from({ length: 3 }, () => decl({ items: [{ commodityCode: '6110209100' }] }));
    expect(run([[...many, ...regular(4)]]).filter((x) => x.ruleId === 'C11')).toEqual([]);
  });
  it('C10: the same description from another supplier under another code (C11 has nothing to say there)', () => {
    const other = decl({ seller: 'Other Co', items: [{ commodityCode: '6110209100', taxLines: [{ taxType: 'A00', rate: '8.00', payablePence: 8_000 }] }] });
    const f = run([[...regular(3), other]]);
    expect(f.map((x) => [x.ruleId, x.declarationId])).toEqual([['C10', other.declarationId]]);
    expect(f[0]!.exposureDutyPence).toBe(4_000);
  });
  it('a preferential line is flagged but not priced (the other code’s preferential rate is unknown)', () => {
    const drift = decl({ items: [{ commodityCode: '6110209100', preference: '300', taxLines: [{ taxType: 'A00', rate: '0.00', payablePence: 0 }] }] });
    const f = run([[...regular(3), drift]]);
    expect(f[0]).toMatchObject({ ruleId: 'C11', exposureDutyPence: 0, reclaimDutyPence: 0, severity: Severity.SEVERITY_MEDIUM });
    expect(f[0]!.explanation).toContain('not priced');
  });
});

describe('C23 origin switch', () => {
  it('flags a minority origin for the same supplier and goods; exposure = the saving', () => {
    const base = Array.from({ length: 3 }, () => decl({}));
    const sw = decl({
      items: [
        {
          originCountry: 'KR',
          preference: '300',
          taxLines: [
            { taxType: 'A00', rate: '0.00', payablePence: 0 },
            { taxType: 'B00', rate: '20.00', payablePence: 20_000 },
          ],
        },
      ],
    });
    const f = run([[...base, sw]]);
    expect(f.map((x) => x.ruleId)).toEqual(['C23']);
    expect(f[0]).toMatchObject({ exposureDutyPence: 12_000, exposureVatPence: 2_400, originCountry: 'KR' });
  });
});

describe('C30 unit-value outliers', () => {
  const line = (pence: number) => decl({ items: [{ customsValuePence: pence }] });
  it('flags a value far below the median of ≥ 40 others; silent with 39', () => {
    const spread = (n: number) => Array.from({ length: n }, (_, i) => line(80_000 + (i % 10) * 5_000));
    const slip = line(100);
    const f = run([spread(40), [slip]]).filter((x) => x.ruleId === 'C30');
    expect(f.map((x) => x.declarationId)).toEqual([slip.declarationId]);
    expect(f[0]!.exposureDutyPence).toBeGreaterThan(0);
    expect(f[0]!.explanation).toContain('statistical estimate');
    expect(run([spread(39), [line(100)]]).filter((x) => x.ruleId === 'C30')).toEqual([]);
  });
  it('stays silent when every earlier value is the same (MAD 0: no spread to judge by)', () => {
    expect(run([Array.from({ length: 45 }, () => line(100_000)), [line(100)]]).filter((x) => x.ruleId === 'C30')).toEqual([]);
  });
});

describe('C02 unknown declarant', () => {
  const history = (n: number) => Array.from({ length: n }, () => decl({}));
  it('first seen after 20 declarations of the importer: the entry’s duty and VAT as the liability', () => {
    const newcomer = decl({ declarant: 'GB555555555000' });
    const f = run([history(20), [newcomer]]);
    expect(f.map((x) => x.ruleId)).toEqual(['C02']);
    expect(f[0]).toMatchObject({ exposureDutyPence: 12_000, exposureVatPence: 22_400, severity: Severity.SEVERITY_MEDIUM });
  });
  it('silent for a newcomer on a young history, for self-representation and for a second entry', () => {
    expect(run([history(5), [decl({ declarant: 'GB555555555000' })]])).toEqual([]);
    expect(run([history(25), [decl({ declarant: IMPORTER })]])).toEqual([]);
    expect(run([history(25), [decl({ declarant: 'GB555555555000' })], [decl({ declarant: 'GB555555555000' })]])).toHaveLength(1);
  });
  it('with an approved-agent list: every agent not on it is HIGH, from the first declaration', () => {
    const state = emptyState();
    state.importers.set(IMPORTER, { declarations: 0, approved: ['GB999999999000'] });
    const f = decideHistory(
      applyBatch(
        state,
        [decl({}), decl({ declarant: 'GB555555555000' })].map((d) => ({ fact: declFact(d) })),
      ),
      't',
      '2024-06-01',
      '2024-06-01T00:00:00Z',
    );
    expect(f.map((x) => [x.ruleId, x.severity])).toEqual([['C02', Severity.SEVERITY_HIGH]]);
  });
});

describe('history rules', () => {
  it('carry complete metadata and docs/history-rules.md is generated from it (run `make docs`)', () => {
    for (const r of HISTORY_RULES) for (const [k, v] of Object.entries(r.meta)) expect([k, typeof v === 'string' ? v.length > 0 : true]).toEqual([k, true]);
    const file = path.resolve(__dirname, '../../../../docs/history-rules.md');
    const rendered = renderHistoryCatalogue(HISTORY_RULES);
    if (process.env.UPDATE_QUALITY_DOC === '1') fs.writeFileSync(file, rendered);
    expect(fs.readFileSync(file, 'utf8')).toBe(rendered);
  });

  it('are pure: no I/O, clock or framework imports in rules/ and scoring/', () => {
    const forbidden = /from '(kafkajs|pg|kysely|fastify|@grpc\/grpc-js|@customs\/(db|kafka|grpc|http|service|telemetry|config))'|Date\.now\(|new Date\(\)|process\.env|require\(/;
    for (const dir of ['.', '../scoring']) {
      for (const f of fs.readdirSync(path.resolve(__dirname, dir)).filter((x) => x.endsWith('.ts') && !x.endsWith('.test.ts'))) {
        const src = fs.readFileSync(path.resolve(__dirname, dir, f), 'utf8');
        expect([f, forbidden.exec(src)?.[0]]).toEqual([f, undefined]);
      }
    }
  });
});

describe('C20 importer’s-knowledge concentration', () => {
  const ordinary = () => decl({});
  const claim = (proof: 'U112' | 'U110', seller = 'Neue Handels GmbH', desc = 'Cotton T-shirts PN 1') =>
    decl({
      seller,
      items: [
        {
          description: desc,
          originCountry: 'DE',
          preference: '300',
          documents: [proof === 'U112' ? { code: 'U112', reference: '', status: 'JE', reason: "Importer's knowledge" } : { code: 'U110', reference: 'SOO-1', status: 'AE', reason: '' }],
          taxLines: [
            { taxType: 'A00', rate: '0.00', payablePence: 0 },
            { taxType: 'B00', rate: '20.00', payablePence: 20_000 },
          ],
        },
      ],
    });
  it('flags every U112 line of a supplier once ≥ 10 claims rest ≥ 90 % on it; the saving at the third-country rate of the importer’s ordinary lines', () => {
    const claims = Array.from({ length: 10 }, () => claim('U112'));
    const f = run([[ordinary()], claims.slice(0, 4), claims.slice(4)]).filter((x) => x.ruleId === 'C20');
    expect(f.map((x) => x.declarationId).sort()).toEqual(claims.map((c) => c.declarationId).sort());
    // 12 % of £1,000 saved; VAT on the duty 20 % = £24.
    for (const x of f)
      expect(x).toMatchObject({ itemNumber: 1, exposureDutyPence: 12_000, exposureVatPence: 2_400, reclaimDutyPence: 0, severity: Severity.SEVERITY_MEDIUM, family: 'origin-preference' });
    expect(f[0]!.evidence.find((e) => e.field === 'history.u112_share_of_claimed_cv')!.value).toBe('100.0%');
  });
  it('silent below 10 claim lines, and when a supplier’s claims cite other proof for more than 10 % of their value', () => {
    expect(run([[ordinary(), ...Array.from({ length: 9 }, () => claim('U112'))]]).filter((x) => x.ruleId === 'C20')).toEqual([]);
    const mixed = [...Array.from({ length: 8 }, () => claim('U112', 'Mixed GmbH')), claim('U110', 'Mixed GmbH'), claim('U110', 'Mixed GmbH')];
    expect(run([[ordinary(), ...mixed]]).filter((x) => x.ruleId === 'C20')).toEqual([]);
  });
  // Declarations of several partitions arrive in no fixed order: the verdict is on the supplier's whole history as it stands.
  it('a share over 90 % on the claims seen so far, then under it once the rest arrive: the findings raised are withdrawn', () => {
    const state = emptyState();
    const judge = (ds: Declaration[]) => {
      const before = new Map([...state.knowledge].map(([k, g]) => [k, g.concentrated]));
      const input = applyBatch(
        state,
        ds.map((d) => ({ fact: declFact(d) })),
      );
      const decided = decideHistory(input, 't', '2024-06-01', '2024-06-01T00:00:00Z').filter((x) => x.ruleId === 'C20');
      for (const k of input.touched.knowledge) state.knowledge.get(k)!.concentrated = decided.length > 0;
      return { input, decided, before };
    };
    const u112 = Array.from({ length: 10 }, () => claim('U112', 'Late Proof GmbH'));
    const first = judge([ordinary(), ...u112]);
    expect(first.decided).toHaveLength(10);
    // Two claims on a statement on origin (U110) arrive later: 10 of 12 lines, 83.3 % of the value.
    const second = judge([claim('U110', 'Late Proof GmbH'), claim('U110', 'Late Proof GmbH')]);
    expect(second.decided).toEqual([]);
    const w = c20Withdrawals(second.input.state, second.input.touched.knowledge, second.decided, first.decided, second.before);
    expect(w.supersede.sort()).toEqual(first.decided.map((f) => f.findingId).sort());
    expect(w.rejudgeImporters).toEqual([IMPORTER]);
  });
  it('judges every U112 line of a batch, also beyond the 20 a supplier keeps', () => {
    const big = decl({
      seller: 'Bulk Knit GmbH',
      items: Array.from({ length: 25 }, () => ({
        originCountry: 'DE',
        preference: '300',
        documents: [{ code: 'U112', reference: '', status: 'JE', reason: "Importer's knowledge" }],
        taxLines: [
          { taxType: 'A00', rate: '0.00', payablePence: 0 },
          { taxType: 'B00', rate: '20.00', payablePence: 20_000 },
        ],
      })),
    });
    const f = run([[ordinary(), big]]).filter((x) => x.ruleId === 'C20');
    expect(f.map((x) => x.itemNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
  it('a claim that arrives before the ordinary line of the same goods is priced once that line arrives (another verdict, another id)', () => {
    const claims = Array.from({ length: 10 }, () => claim('U112', 'Early Claim GmbH'));
    const f = run([claims, [ordinary()]]).filter((x) => x.ruleId === 'C20');
    const unpriced = f.filter((x) => x.exposureDutyPence === 0);
    const priced = f.filter((x) => x.exposureDutyPence === 12_000);
    expect([unpriced.length, priced.length]).toEqual([10, 10]);
    expect(new Set(f.map((x) => x.findingId)).size).toBe(20);
  });
  it('unpriced (£0, said so) when the importer never declared the goods at the third-country rate', () => {
    const f = run([Array.from({ length: 10 }, () => claim('U112', 'Solo GmbH', 'Wool jumpers PN 7'))]).filter((x) => x.ruleId === 'C20');
    expect(f).toHaveLength(10);
    expect(f[0]).toMatchObject({ exposureDutyPence: 0, exposureVatPence: 0 });
    expect(f[0]!.explanation).toContain('not priced');
  });
});

describe('C20 second criterion: U112 on complex goods without origin evidence on file', () => {
  const claim = (seller: string, date: string, code = '6109100010', proof = 'U112') =>
    decl({
      seller,
      date,
      items: [
        {
          commodityCode: code,
          originCountry: 'DE',
          preference: '300',
          documents: [{ code: proof, reference: '', status: 'JE', reason: "Importer's knowledge" }],
          taxLines: [
            { taxType: 'A00', rate: '0.00', payablePence: 0 },
            { taxType: 'B00', rate: '20.00', payablePence: 20_000 },
          ],
        },
      ],
    });
  const ev = (supplier: string, from: string, to: string, codePrefixes: string[] = []) => ({
    id: `e-${supplier}`,
    importer: IMPORTER,
    supplier,
    kind: 'supplier_statement' as const,
    validFrom: from,
    validTo: to,
    codePrefixes,
    reference: 'SOO-1',
  });
  const judge = (batch: Declaration[], register: ReturnType<typeof ev>[] | undefined) => {
    const state = emptyState();
    if (register) {
      state.evidenceKept = new Set([IMPORTER]);
      state.evidence = new Map();
      for (const e of register) state.evidence.set(`${IMPORTER}|${e.supplier}`, [...(state.evidence.get(`${IMPORTER}|${e.supplier}`) ?? []), e]);
    }
    return decideHistory(
      applyBatch(
        state,
        [decl({}), ...batch].map((d) => ({ fact: declFact(d) })),
      ),
      't',
      '2024-06-01',
      '2024-06-01T00:00:00Z',
    ).filter((x) => x.ruleId === 'C20');
  };
  it('flags one U112 claim of complex goods when the importer keeps a register and nothing covers the supplier, date and code; priced as the saving', () => {
    const f = judge([claim('Lieferant GmbH', '2024-03-01')], [ev('OTHER SUPPLIER|CN', '2020-01-01', '2030-12-31')]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ itemNumber: 1, exposureDutyPence: 12_000, exposureVatPence: 2_400, severity: Severity.SEVERITY_MEDIUM });
    expect(f[0]!.explanation).toContain('no origin evidence on file');
    expect(f[0]!.evidence.find((e) => e.field === 'register.origin_evidence')!.value).toBe('none covering this line');
  });
  it('silent when evidence covers the date and code; flags outside the validity or the code prefixes', () => {
    const key = 'LIEFERANT GMBH|CN';
    expect(judge([claim('Lieferant GmbH', '2024-03-01')], [ev(key, '2024-01-01', '2024-12-31')])).toEqual([]);
    expect(judge([claim('Lieferant GmbH', '2024-03-01')], [ev(key, '2024-01-01', '2024-12-31', ['6109'])])).toEqual([]);
    expect(judge([claim('Lieferant GmbH', '2025-01-01')], [ev(key, '2024-01-01', '2024-12-31')])).toHaveLength(1);
    expect(judge([claim('Lieferant GmbH', '2024-03-01')], [ev(key, '2024-01-01', '2024-12-31', ['6110', '62'])])).toHaveLength(1);
  });
  it('silent for wholly obtainable goods (chapters 01–14, 25–26), for other proof than U112, and for an importer keeping no register', () => {
    expect(judge([claim('Lieferant GmbH', '2024-03-01', '0805100010')], [ev('X|CN', '2024-01-01', '2024-12-31')])).toEqual([]);
    expect(judge([claim('Lieferant GmbH', '2024-03-01', '6109100010', 'U110')], [ev('X|CN', '2024-01-01', '2024-12-31')])).toEqual([]);
    expect(judge([claim('Lieferant GmbH', '2024-03-01')], undefined)).toEqual([]);
  });
  it('a covered line keeps a concentration verdict under its old id; a gap is another finding id (a later register change supersedes it)', () => {
    const claims = Array.from({ length: 10 }, () => claim('Neue GmbH', '2024-03-01'));
    const concentrated = judge(claims, undefined);
    const both = judge(claims, [ev('X|CN', '2024-01-01', '2024-12-31')]);
    const covered = judge(claims, [ev('NEUE GMBH|CN', '2024-01-01', '2024-12-31')]);
    expect(concentrated).toHaveLength(10);
    expect(covered.map((x) => x.findingId)).toEqual(concentrated.map((x) => x.findingId));
    expect(both).toHaveLength(10);
    expect(both.some((x) => concentrated.some((c) => c.findingId === x.findingId))).toBe(false);
    expect(both[0]!.explanation).toMatch(/alone .*; and U112 on complex goods/);
  });
});

describe('C34 relief volume anomalies (returned goods against an export already discharged)', () => {
  const reimport = (exportMrn: string, date: string) =>
    decl({
      date,
      items: [
        {
          procedureCode: '6110',
          additionalProcedureCodes: ['F01'],
          previousDocuments: [{ category: 'Z', type: 'MRN', reference: exportMrn, line: '1' }],
          taxLines: [
            { taxType: 'A00', rate: '0.00', payablePence: 0 },
            { taxType: 'B00', rate: '20.00', payablePence: 20_000 },
          ],
        },
      ],
    });
  it('flags the later of two re-imports citing the same export line, whichever arrives first; relieved duty at the third-country rate', () => {
    const first = reimport('23GB0000000000EXP1', '2024-02-01');
    const second = reimport('23GB0000000000EXP1', '2024-04-01');
    const f = run([[decl({})], [second], [first]]).filter((x) => x.ruleId === 'C34');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ declarationId: second.declarationId, itemNumber: 1, exposureDutyPence: 12_000, exposureVatPence: 2_400, severity: Severity.SEVERITY_HIGH, cpc: '6110' });
    expect(f[0]!.evidence.find((e) => e.field === 'history.first_reimport')!.value).toBe(first.mrn);
  });
  it('silent for re-imports of different exports, for an amendment of the same entry, and the RGR line never sets the third-country rate', () => {
    expect(run([[reimport('23GB0000000000EXP2', '2024-02-01'), reimport('23GB0000000000EXP3', '2024-02-02')]]).filter((x) => x.ruleId === 'C34')).toEqual([]);
    const v1 = reimport('23GB0000000000EXP4', '2024-02-01');
    const v2 = Declaration.fromPartial({ ...v1, version: 2, changeKind: 'amendment' });
    const state = emptyState();
    decideHistory(applyBatch(state, [{ fact: declFact(v1) }]), 't', '2024-06-01', '2024-06-01T00:00:00Z');
    const f = decideHistory(applyBatch(state, [{ fact: declFact(v2), previous: declFact(v1) }]), 't', '2024-06-01', '2024-06-01T00:00:00Z');
    expect(f.filter((x) => x.ruleId === 'C34')).toEqual([]);
    expect(state.descGroups.get(`${IMPORTER}|COTTON T SHIRTS PN 1`)!.codes['61091000']!.rate).toBe('');
  });
});

describe('C37 names the invoice, not the supplier’s country, for a supplier known by name', () => {
  it('explains with the invoice reference and keeps the supplier with its country', () => {
    const a = decl({ invoice: 'INV-777', date: '2024-01-01' });
    const b = decl({ invoice: 'INV-777', date: '2024-02-01' });
    const f = run([[a], [b]]).filter((x) => x.ruleId === 'C37');
    expect(f).toHaveLength(1);
    expect(f[0]!.explanation).toContain('The supplier invoice INV 777 was declared');
  });
});
