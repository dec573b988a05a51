// The content hash of a CDS report entry is of its values, not of their spelling: the
// canonicaliser equates exactly the spellings the assembler (and validation downstream) reads as
// the same value, and nothing else; codes are hashed as written.
import { GBP_AMOUNT, HASH_CANONICAL, ITEM_NUMBER, ITEM_PRICE, UNSIGNED_DECIMAL, canonicalDecimal, gbpPence, hashCanonicalValue, hashValues, parseCdsReports, reportDate } from './cds-report';

async function* chunksOf(s: string): AsyncGenerator<Buffer> {
  yield Buffer.from(s);
}
const parse = (...files: string[]) => parseCdsReports(files.map((f, i) => ({ sourceName: `f${i}.csv`, chunks: chunksOf(f) })));

/** The parser's date notion before it was rewritten with character checks (the reference). */
function reportDateRegex(v: string): string | undefined {
  const s = v.trim();
  let m = /^(\d{2})\/(\d{2})\/(\d{4})(?:[ T].*)?$/.exec(s);
  if (m) return `${m[3]}-${m[2]}-${m[1]}`;
  m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

// Spellings to try against each parser: values, their padded / grouped / signed forms, and near misses.
const SPELLINGS = [
  '0',
  '00',
  '0.0',
  '0.00',
  '-0',
  '-0.00',
  '+0',
  '0.000',
  '.0',
  '0.',
  '-',
  '+',
  '',
  ' ',
  '5',
  '05',
  '5.0',
  '5.00',
  '+5',
  '-5',
  '-5.0',
  '-05.50',
  '5.5',
  '5.50',
  '5.05',
  '5.005',
  '5.500',
  '3800',
  '3800.00',
  '3800.0',
  '03800',
  '3,800',
  '3,800.00',
  '38,00',
  '3800.01',
  '3800.1',
  '3800.10',
  '3800.001',
  '-3800.00',
  '+3800.00',
  '3 800',
  '3800.',
  '.5',
  '1e3',
  '1E3',
  '0x10',
  'NaN',
  'Infinity',
  '12,34,5.6',
  '1,,2',
  '12',
  ',',
  '٣٨٠٠',
  '3800 GBP',
  '£3800',
];

describe('canonicalDecimal', () => {
  it('spells GBP amounts by value as gbpPence reads them: zeros, commas and "-0" go; what gbpPence refuses stays as it is', () => {
    const c = (v: string) => canonicalDecimal(v, GBP_AMOUNT);
    expect(['3800.00', '3800.0', '3800', '03800', '3,800.00', '0,003,800.0'].map(c)).toEqual(Array(6).fill('3800'));
    expect(['3800.50', '3800.5', '003,800.50'].map(c)).toEqual(Array(3).fill('3800.5'));
    expect(['0', '00', '0.00', '-0', '-0.00', '-00.0'].map(c)).toEqual(Array(6).fill('0'));
    expect(['-0.01', '-0.10', '-5.00', '0.07', '429.01', '1,234.5'].map(c)).toEqual(['-0.01', '-0.1', '-5', '0.07', '429.01', '1234.5']);
    // Not amounts to gbpPence (flagged as such): unchanged, so equal only to themselves.
    for (const v of ['12.345', '3800.000', '+5', '1.', '.5', '1e3', '-', '', 'NaN', '3800 GBP', '£3800', '3 800']) expect(c(v)).toBe(v);
  });

  it('spells unsigned decimals (kept as text, read by validation as /^\\d+(\\.\\d+)?$/) by value, and leaves signs and grouping alone', () => {
    const c = (v: string) => canonicalDecimal(v, UNSIGNED_DECIMAL);
    expect(['120', '120.000', '0120', '120.'].map(c)).toEqual(['120', '120', '120', '120.']);
    expect(['12.3456789', '20', '20.00', '0.50', '000.5'].map(c)).toEqual(['12.3456789', '20', '20', '0.5', '0.5']);
    // Validation refuses these, so they are not equated with the number they look like.
    for (const v of ['-0', '-0.0', '-5', '+5', '1,234', '20%', '3800.00 ']) expect(c(v)).toBe(v);
    expect(canonicalDecimal('2,500.00', ITEM_PRICE)).toBe('2500'); // the assembler strips an item price's commas
    expect(canonicalDecimal('-2500.00', ITEM_PRICE)).toBe('-2500.00');
  });

  it('spells an item number as the number Number() reads', () => {
    const c = (v: string) => canonicalDecimal(v, ITEM_NUMBER);
    expect(['1', '01', '1.0', '+1', '+001.000'].map(c)).toEqual(Array(5).fill('1'));
    expect(['10', '1.5', '-1', '1,0', 'x'].map(c)).toEqual(['10', '1.5', '-1', '1,0', 'x']);
  });

  it('equates two GBP spellings exactly when gbpPence reads both as the same pence', () => {
    for (const a of SPELLINGS) {
      for (const b of SPELLINGS) {
        const [pa, pb] = [gbpPence(a), gbpPence(b)];
        const same = canonicalDecimal(a, GBP_AMOUNT) === canonicalDecimal(b, GBP_AMOUNT);
        // gbpPence trims; the reader hands it trimmed values, so untrimmed spellings are left out.
        if (a !== a.trim() || b !== b.trim()) continue;
        if (pa !== undefined && pb !== undefined) expect([a, b, same]).toEqual([a, b, pa === pb]);
        else expect([a, b, same]).toEqual([a, b, a === b]);
      }
    }
  });

  it('equates two unsigned spellings exactly when validation reads both as the same value', () => {
    const read = (v: string) => {
      const m = /^(\d+)(?:\.(\d+))?$/.exec(v);
      return m ? `${BigInt(m[1]!)}.${(m[2] ?? '').replace(/0+$/, '')}` : undefined;
    };
    for (const a of SPELLINGS) {
      for (const b of SPELLINGS) {
        const same = canonicalDecimal(a, UNSIGNED_DECIMAL) === canonicalDecimal(b, UNSIGNED_DECIMAL);
        const [ra, rb] = [read(a), read(b)];
        expect([a, b, same]).toEqual([a, b, ra !== undefined && rb !== undefined ? ra === rb : a === b]);
      }
    }
  });
});

describe('reportDate (character checks) and dates in the hash', () => {
  it('accepts exactly what the regular expressions it replaces accepted, with the same date', () => {
    const dates = [
      '14/03/2023',
      '14/03/2023 10:15:00',
      '14/03/2023T10:15',
      '14/03/2023 ',
      ' 14/03/2023',
      '14/03/2023x',
      '14/03/2023 10\n15',
      '14/03/2023 10\u202815',
      '14/03/2023\t10:15',
      '2023-03-14',
      '2023-03-14T10:15:00',
      '2023-03-14T10:15:00.000Z',
      '2023-03-14junk',
      '2023-03-14\n',
      ' 2023-03-14 ',
      '2023-3-14',
      '2023/03/14',
      '1/3/2023',
      '14-03-2023',
      '14/03/20233',
      '14/03/202',
      '99/99/9999',
      '0000-00-00',
      '',
      ' ',
      'tomorrow',
      '\u202814/03/2023',
      '١٤/03/2023',
      '14/O3/2023',
      '44999.427083333336',
    ];
    for (const d of dates) expect([d, reportDate(d)]).toEqual([d, reportDateRegex(d)]);
  });

  it('hashes a date as its ISO date, in every form the parser reads; leaves what it does not read alone', () => {
    for (const f of ['acceptanceDate', 'entryDate', 'clearanceDate']) {
      expect(['14/03/2023 10:15:00', '14/03/2023', '2023-03-14', '2023-03-14T10:15:00', '14/03/2023T00:00'].map((v) => hashCanonicalValue(f, v))).toEqual(Array(5).fill('2023-03-14'));
      expect(['tomorrow', '14-03-2023', '44999.427083333336'].map((v) => hashCanonicalValue(f, v))).toEqual(['tomorrow', '14-03-2023', '44999.427083333336']);
    }
  });
});

describe('hashValues', () => {
  it('is HASH_CANONICAL field by field, drops empty values, and leaves codes and texts as written', () => {
    const samples = ['3800.00', '0,120.50', '+1', '01', '-0.00', '14/03/2023 10:15:00', '2023-03-14T10:15:00', '12.345', 'x', ''];
    for (const f of Object.keys(HASH_CANONICAL)) {
      for (const v of samples) {
        const values = { mrn: '26GBHASH0000000011', [f]: v, description: '' };
        const before = { ...values };
        expect([f, v, hashValues(values)]).toEqual([f, v, v === '' ? { mrn: values.mrn } : { mrn: values.mrn, [f]: HASH_CANONICAL[f]!(v) }]);
        expect(values).toEqual(before); // the row itself is never changed
      }
    }
    // Codes, where a leading zero or a grouping is significant, and texts: as written.
    const codes = {
      commodityCode: '0101210000',
      cpc: '4000000',
      apc: '000',
      epu: '017',
      entryNumber: '000123A',
      importer: 'GB000123456000',
      firstDan: '0012345',
      preference: '100',
      valuationMethod: '01',
      transportMode: '01',
      taxType: 'A00',
      methodOfPayment: 'E',
      description: '  T-shirts, 100.00 % cotton ',
      invoiceCurrency: 'eur',
    };
    expect(hashValues(codes)).toEqual(codes);
    expect(hashValues({ a: 'x', b: '', c: 'y' })).toEqual({ a: 'x', c: 'y' });
    expect(Object.keys(hashValues({ itemNumber: '01', commodityCode: '6109100010', customsValue: '1.50' }))).toEqual(['itemNumber', 'commodityCode', 'customsValue']); // key order kept
  });
});

describe('the content hash of an entry', () => {
  const header = (total: string, date: string, cv = '3260.47') =>
    `MRN,Acceptance Date,Importer EORI,Customs Value,Invoice Currency,Invoice Total\n26GBHASH0000000011,${date},GB553202734852,"${cv}",EUR,${total}\n`;
  const items = (price: string, extra = '') =>
    `MRN,Item Number,Commodity Code,CPC,Item Price,Customs Value,Net Mass,Duty Paid,VAT Paid,Preference${extra ? ',Quota' : ''}\n26GBHASH0000000011,1,6109100010,4000000,"${price}",2145.05,120,0.00,429.01,300${extra}\n`;
  const sha = async (...files: string[]) => {
    const r = await parse(...files);
    expect(r.declarations).toHaveLength(1);
    return r.declarations[0]!;
  };

  it('is the same for the same values spelled differently (decimals, dates, grouping, empty trailing fields)', async () => {
    const base = await sha(header('3800.00', '14/03/2023 10:15:00'), items('2500.00'));
    const respelled = await sha(header('3800', '2023-03-14T10:15:00', '3,260.47'), items('2,500'));
    expect(respelled.contentSha256).toBe(base.contentSha256);
    expect((await sha(header('03800.0', '2023-03-14'), items('2500', ','))).contentSha256).toBe(base.contentSha256);
    // The stored declaration keeps the spelling it came with: only the hash input is canonical.
    expect(base.invoiceAmount).toEqual({ value: '3800.00', currency: 'EUR' });
    expect(respelled.invoiceAmount).toEqual({ value: '3800', currency: 'EUR' });
  });

  it('differs for a different value, a different code, or a value the parser reads differently', async () => {
    const base = (await sha(header('3800.00', '14/03/2023 10:15:00'), items('2500.00'))).contentSha256;
    const others = [
      [header('3800.01', '14/03/2023 10:15:00'), items('2500.00')],
      [header('3800.00', '15/03/2023 10:15:00'), items('2500.00')],
      [header('3800.00', '14/03/2023 10:15:00', '3260.48'), items('2500.00')],
      [header('3800.00', '14/03/2023 10:15:00'), items('2500.10')],
      [header('3800.00', '14/03/2023 10:15:00'), items('2500.00').replace(',6109100010,', ',0610910001,')],
      [header('3800.00', '14/03/2023 10:15:00'), items('2500.00').replace(',300\n', ',0300\n')],
      [header('3800.00', '14/03/2023 10:15:00'), items('2500.00', ',054321')],
      [header('3800.00', '14/03/2023 10:15:00', '3260.470'), items('2500.00')], // gbpPence refuses 3 decimals
    ];
    const hashes = await Promise.all(others.map(async (f) => (await sha(...f)).contentSha256));
    for (const h of hashes) expect(h).not.toBe(base);
    expect(new Set(hashes).size).toBe(hashes.length);
    // "+3800.00" is not a number to validation: no longer kept as text (its own hash), but an
    // invoice total DE 4/11 cannot hold, so the entry is rejected naming the element.
    const signed = await parse(header('+3800.00', '14/03/2023 10:15:00'), items('2500.00'));
    expect(signed.declarations).toHaveLength(0);
    expect(signed.issues).toContainEqual(
      expect.objectContaining({ severity: 'error', column: 'Invoice Total', reason: expect.stringContaining('Invoice Total (DE 4/11 total amount invoiced) "+3800.00" is not a decimal number') }),
    );
  });
});
