import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdValoremComponent, DutyExpression, SpecificComponent } from './ast';
import { lookupUnit, unitByCode } from './units';
import { DutyExpressionError, dutyExpressionCacheSize, parseDutyExpression, parseDutyExpressionUncached } from './parse';
import { DATA_DIR, ottCherryTomatoes, seasonalRows, ukgtRow, ukgtRows } from './__fixtures__/tariff-files';

const pct = (c: unknown) => {
  const a = c as AdValoremComponent;
  expect(a.kind).toBe('adValorem');
  return `${a.percent.n}/${a.percent.d}`;
};
const spec = (c: unknown) => {
  const s = c as SpecificComponent;
  expect(s.kind).toBe('specific');
  return `${s.amountText} ${s.currency}/${s.unit.code}`;
};
const simple = (e: DutyExpression) => {
  if (e.kind !== 'simple') throw new Error(`expected a simple expression, got ${e.kind}`);
  return e;
};

describe('parseDutyExpression — UKGT forms (real lines of ukgt_2021-01-01_global-uk-tariff.csv)', () => {
  it.each([
    // [commodity, expected ukgt text, expected components]
    ['61091000', '12.0%', ['ad 120/10']],
    ['73181595', '0.0%', ['ad 0/10']],
    ['07129019', '7.80 GBP/100kg', ['sp 7.80 GBP/DTN']],
    ['01022910', '10.00% + 77.00 GBP/100kg', ['ad 1000/100', 'sp 77.00 GBP/DTN']],
    ['2204218595', '1.40 GBP / % vol / hl', ['sp 1.40 GBP/ASVX']],
    ['22084011', '0.50 GBP/%vol/hl + 2.60 GBP/hl', ['sp 0.50 GBP/ASVX', 'sp 2.60 GBP/HLT']],
    ['01051111', '43.00 GBP/1000 items', ['sp 43.00 GBP/MIL']],
    ['01051200', '127.00 GBP/ 1000 items', ['sp 127.00 GBP/MIL']],
    ['91011100', '0.20 GBP/ item', ['sp 0.20 GBP/NAR']],
    ['20096911', '40.00% + 101.00 GBP/hl + 17 GBP/100kg', ['ad 4000/100', 'sp 101.00 GBP/HLT', 'sp 17 GBP/DTN']],
    ['04021091', '1.00 GBP/kg/lactic matter + 23.00 GBP/100kg', ['sp 1.00 GBP/KGMP', 'sp 23.00 GBP/DTN']],
    ['07104000', '4.00% + 7.80 GBP/100kg eda', ['ad 400/100', 'sp 7.80 GBP/DTNE']],
    ['17023010', '42.00 GBP/100kg mas', ['sp 42.00 GBP/DTNM']],
    ['17025000', '16.00% + 42.00 GBP/100kg mas', ['ad 1600/100', 'sp 42.00 GBP/DTNM']],
    ['17022010', '0.30 GBP/100kg/net/%sacchar.', ['sp 0.30 GBP/DTNZ']],
    ['17011210', '28.00 GBP/100kg std qual', ['sp 28.00 GBP/DTNR']],
  ])('%s %s', (commodity, text, expected) => {
    const row = ukgtRow(commodity);
    expect(row.ukgt).toBe(text);
    const e = simple(parseDutyExpression(row.ukgt));
    expect(e.clauses).toEqual([]);
    expect(e.components.map((c) => (c.kind === 'adValorem' ? `ad ${pct(c)}` : `sp ${spec(c)}`))).toEqual(expected);
    expect(e.unevaluableReason).toBeUndefined();
  });

  it('seasonal 07020000 tomatoes: two seasons with dates', () => {
    const e = parseDutyExpression(ukgtRow('07020000').ukgt);
    expect(e.normalized).toBe('8.00% (01 NOV - 14 MAY), 14.00% (15 MAY - 31 OCT)');
    if (e.kind !== 'seasonal') throw new Error('expected seasonal');
    expect(e.seasons.map((s) => [pct(s.expression.components[0]), s.ranges])).toEqual([
      ['800/100', [{ from: { month: 11, day: 1 }, to: { month: 5, day: 14 } }]],
      ['1400/100', [{ from: { month: 5, day: 15 }, to: { month: 10, day: 31 } }]],
    ]);
  });

  it('seasonal 08083090 pears: four seasons', () => {
    const e = parseDutyExpression(ukgtRow('08083090').ukgt);
    if (e.kind !== 'seasonal') throw new Error('expected seasonal');
    expect(e.seasons.map((s) => pct(s.expression.components[0]))).toEqual(['800/100', '400/100', '0/100', '1000/100']);
  });
});

describe('parseDutyExpression — EU CET column forms (MIN/MAX, agricultural, entry price, €)', () => {
  const cet = (commodity: string) => ukgtRow(commodity).cet;

  it('91011100 watches: "4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item"', () => {
    const e = simple(parseDutyExpression(cet('91011100')));
    expect(pct(e.components[0])).toBe('450/100');
    expect(e.clauses.map((c) => [c.kind, spec(c.components[0])])).toEqual([
      ['min', '0.30 EUR/NAR'],
      ['max', '0.80 EUR/NAR'],
    ]);
  });

  it('70031299 cast glass: MIN per 100 kg gross', () => {
    const e = simple(parseDutyExpression(cet('70031299')));
    expect(e.clauses.map((c) => spec(c.components[0]))).toEqual(['0.60 EUR/DTNG']);
  });

  it('07041000 cauliflowers: seasonal with € MIN clauses and an undated remainder season', () => {
    const e = parseDutyExpression(cet('07041000'));
    expect(e.normalized).toBe('9.60% MIN 1.1 EUR /100 kg/net (01 JAN-14 APR, 1 DEC-31 DEC), 13.60% MIN 1.6 EUR /100kg/net');
    if (e.kind !== 'seasonal') throw new Error('expected seasonal');
    expect(e.seasons[0]!.ranges).toEqual([
      { from: { month: 1, day: 1 }, to: { month: 4, day: 14 } },
      { from: { month: 12, day: 1 }, to: { month: 12, day: 31 } },
    ]);
    expect(e.seasons[1]!.ranges).toEqual([]);
    expect(spec(e.seasons[1]!.expression.clauses[0]!.components[0])).toBe('1.6 EUR/DTN');
  });

  it('a season written "01-31 DEC" takes the month from the end date', () => {
    const row = ukgtRows().find((r) => r.cet.includes('01-31 DEC'))!;
    const e = parseDutyExpression(row.cet);
    if (e.kind !== 'seasonal') throw new Error('expected seasonal');
    expect(e.seasons[0]!.ranges[1]).toEqual({ from: { month: 12, day: 1 }, to: { month: 12, day: 31 } });
  });

  it('"6.4 + 24.6 EUR/100 kg" reads the bare number as a percentage and flags it', () => {
    const row = ukgtRows().find((r) => r.cet === '6.4 + 24.6 EUR/100 kg')!;
    const e = simple(parseDutyExpression(row.cet));
    expect((e.components[0] as AdValoremComponent).impliedPercent).toBe(true);
    expect(pct(e.components[0])).toBe('64/10');
  });

  it.each([
    ['07020000', 'Entry Price', /entry price/],
    ['04052010', '9.00% +  EA', /agricultural component EA/],
  ])('%s %s parses but is marked unevaluable', (commodity, text, reason) => {
    expect(cet(commodity)).toBe(text);
    const e = parseDutyExpression(text);
    expect(e.unevaluableReason).toMatch(reason);
  });

  it('"9.00% + EA MAX 18.70% + ADSZ" keeps ADSZ inside the MAX clause', () => {
    const row = ukgtRows().find((r) => r.cet.startsWith('9.00% +  EA MAX 18.70%'))!;
    const e = simple(parseDutyExpression(row.cet));
    expect(e.components.map((c) => c.kind)).toEqual(['adValorem', 'agricultural']);
    expect(e.clauses[0]!.components).toMatchObject([{ kind: 'adValorem' }, { kind: 'agricultural', code: 'ADSZ' }]);
  });
});

describe('parseDutyExpression — Online Trade Tariff API forms (0702000007 cherry tomatoes)', () => {
  const ott = ottCherryTomatoes();
  const mfn = ott.import_measures.find((m) => m.measure_type.id === '103' && m.geographical_area.id === '1011')!;
  const eu = ott.import_measures.find((m) => m.measure_type.id === '142' && m.geographical_area.id === '1013')!;

  it('basic_duty_rate, base and formatted_base of the MFN measure all parse to 8%', () => {
    expect(ott.basic_duty_rate).toBe('<span>8.00</span> %');
    expect(mfn.duty_expression).toEqual({ base: '8.00 %', formatted_base: '<span>8.00</span> %' });
    for (const text of [ott.basic_duty_rate, mfn.duty_expression.base, mfn.duty_expression.formatted_base]) {
      expect(pct(simple(parseDutyExpression(text)).components[0])).toBe('800/100');
    }
  });

  it('EU preference (142, 1013) is 0.00 %', () => {
    expect(eu.geographical_area.description).toBe('European Union');
    expect(pct(simple(parseDutyExpression(eu.duty_expression.formatted_base)).components[0])).toBe('0/100');
  });

  it('every non-empty import-measure expression in the sample parses', () => {
    const texts = ott.import_measures.flatMap((m) => [m.duty_expression.base, m.duty_expression.formatted_base]).filter((t) => t !== '');
    expect(texts.length).toBe(92);
    const distinct = new Set(texts.map((t) => parseDutyExpression(t).normalized));
    expect([...distinct].sort()).toEqual(['0.00 %', '3.50 %', '5.80 %', '8.00 %']);
  });

  it('HTML abbreviations and entities of formatted specific rates are removed', () => {
    const e = simple(parseDutyExpression('<span>7.80</span> GBP / <abbr title="Hectokilogram net of drained weight">100 kg/net eda</abbr>'));
    expect(spec(e.components[0])).toBe('7.80 GBP/DTNE');
    expect(e.normalized).toBe('7.80 GBP / 100 kg/net eda');
    expect(spec(simple(parseDutyExpression('1.40&nbsp;GBP / % vol/hl')).components[0])).toBe('1.40 GBP/ASVX');
  });
});

describe('every distinct duty expression of the shipped UKGT file', () => {
  const rows = ukgtRows();

  it('has the documented number of lines', () => {
    expect(rows.length).toBe(11830);
  });

  it('all 289 distinct UK Global Tariff (third-country) expressions parse and are evaluable', () => {
    const distinct = [...new Set(rows.map((r) => r.ukgt))];
    expect(distinct.length).toBe(289);
    const failures: string[] = [];
    let evaluable = 0;
    let seasonal = 0;
    for (const text of distinct) {
      try {
        const e = parseDutyExpression(text);
        if (e.unevaluableReason === undefined) evaluable++;
        if (e.kind === 'seasonal') seasonal++;
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    expect(failures).toEqual([]);
    expect(evaluable).toBe(289);
    expect(seasonal).toBe(11);
  });

  it('all 525 distinct EU CET expressions parse; 12 are classified unevaluable with a reason', () => {
    const distinct = [...new Set(rows.map((r) => r.cet))];
    expect(distinct.length).toBe(525);
    const reasons = new Map<string, number>();
    for (const text of distinct) {
      const e = parseDutyExpression(text);
      if (e.unevaluableReason) {
        const key = e.unevaluableReason.split(':')[0]!;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(reasons)).toEqual({
      'agricultural component EA': 11,
      'entry price system': 1,
    });
  });

  it('the parse cache returns the same AST object for repeated text', () => {
    const a = parseDutyExpression('10.00% + 77.00 GBP/100kg');
    const before = dutyExpressionCacheSize();
    expect(parseDutyExpression('10.00% + 77.00 GBP/100kg')).toBe(a);
    expect(dutyExpressionCacheSize()).toBe(before);
  });
});

describe('seasonal_rates.csv agrees with the parser', () => {
  const rows = seasonalRows();

  it('has 18 rows', () => {
    expect(rows.length).toBe(18);
  });

  it('the in-season rate column equals the rate the parsed text gives on the season start date', () => {
    const checked: string[] = [];
    for (const r of rows) {
      if (r.commodity === '08081080') continue; // malformed text, asserted below
      const e = parseDutyExpression(r.text);
      if (e.kind !== 'seasonal') throw new Error(`${r.commodity} not seasonal`);
      const [dd, mm] = r.start.split('/').map(Number) as [number, number];
      const season = e.seasons.find((s) => s.ranges.some((x) => x.from.month === mm && x.from.day === dd))!;
      expect(pct(season.expression.components[0])).toBe(`${r.rate.replace('.', '')}/100`);
      checked.push(r.commodity);
    }
    expect(checked.length).toBe(17);
  });

  it('08081080 apples: text lost its first rate, so parsing fails naming the position', () => {
    const r = rows.find((x) => x.commodity === '08081080')!;
    expect(r.text).toBe('(01 JAN - 31 MAR), 0.00% (01 APR - 31 JUL), 8.00% (01 AUG - 31 DEC)');
    expect(() => parseDutyExpressionUncached(r.text)).toThrow(DutyExpressionError);
    try {
      parseDutyExpression(r.text);
    } catch (e) {
      expect(e).toBeInstanceOf(DutyExpressionError);
      expect((e as DutyExpressionError).position).toBe(0);
      expect((e as DutyExpressionError).message).toContain('"(01 JAN - 31 MAR), 0.00%');
    }
    expect.assertions(5);
  });
});

describe('units of codes/units/measurement_units.json', () => {
  const units = JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'codes/units/measurement_units.json'), 'utf8')) as Record<string, { abbreviation: string }>;
  // Not units of a specific import duty: monetary (EUR, RET, SPR*), excise SPR formulas, and
  // percentages that only qualify another unit (ASV, BRX), watt.
  const NOT_DUTY_UNITS = new Set(['ASV', 'BRX', 'EUR', 'RET', 'SPQ', 'SPQLPA', 'SPQLTR', 'SPR', 'WAT']);

  it('every duty unit abbreviation resolves to its own code', () => {
    const codes = Object.keys(units).filter((c) => !NOT_DUTY_UNITS.has(c));
    expect(codes.length).toBe(63);
    expect(codes.filter((c) => lookupUnit(units[c]!.abbreviation)?.code !== c)).toEqual([]);
    expect(codes.filter((c) => unitByCode(c)?.code !== c)).toEqual([]);
  });

  it('sizes convert within a basis: 1,000 kg = 10 × 100 kg, hl = 100 l, 1,000 p/st = 1,000 items', () => {
    expect(lookupUnit('1,000 kg')!.size).toEqual({ n: 1000n, d: 1n });
    expect(lookupUnit('100 kg')!.basis).toBe(lookupUnit('1,000 kg')!.basis);
    expect([lookupUnit('hl')!.basis, lookupUnit('hl')!.size.n]).toEqual(['litres', 100n]);
    expect([lookupUnit('1,000 p/st')!.basis, lookupUnit('1,000 p/st')!.size.n]).toEqual(['items', 1000n]);
  });
});

describe('syntax errors name the text and the position', () => {
  it.each([
    ['12.00% +', 8, 'expected a rate'],
    ['12,5%', 2, 'a rate without season dates must come last'],
    ['3.00 GBP / furlong', 11, 'unknown unit "furlong"'],
    ['3.00 / 100 kg', 0, 'without a currency'],
    ['8.00% (01 NOV - 14 MAI)', 19, 'expected a month'],
    ['', 0, 'empty'],
  ])('%j', (text, position, detail) => {
    let err: DutyExpressionError | undefined;
    try {
      parseDutyExpression(text);
    } catch (e) {
      err = e as DutyExpressionError;
    }
    expect(err).toBeInstanceOf(DutyExpressionError);
    expect(err!.position).toBe(position);
    expect(err!.message).toContain(detail);
    expect(err!.message).toContain(JSON.stringify(text));
  });
});
