import { looksLikeDdes, MAX_DDES_LINES, parseDdesCsv, poundsToPence } from './ddes';

const csv = (rows: string[]) => Buffer.from(`${rows.join('\n')}\n`);
const HEADER = 'DAN,MRN,Tax Type,Amount,Date,Importer EORI,Period From,Period To';
const MRN1 = '24GB12345678901234';
const MRN2 = '24GBABCDEFGHIJKLM5';

describe('duty deferment statement CSV (docs/deferment-statement.md)', () => {
  it('reads charges per account in exact pence, with the period and a stable statement id', () => {
    const r = parseDdesCsv(
      csv([
        HEADER,
        `1234567,${MRN1},A00,"1,234.56",2024-03-05,GB123456789000,2024-03-01,2024-03-31`,
        `1234567,${MRN1},B00,250.1,05/03/2024,GB123456789000,2024-03-01,2024-03-31`,
        `1234567,${MRN2},A00,(12.00),,,,`,
      ]),
      'ddes.csv',
      't1',
    );
    expect(r.issues).toEqual([]);
    expect(r.statements).toHaveLength(1);
    const s = r.statements[0]!;
    expect([s.dan, s.periodFrom, s.periodTo]).toEqual(['1234567', '2024-03-01', '2024-03-31']);
    expect(s.lines.map((l) => [l.mrn, l.taxType, l.amountPence, l.date, l.row])).toEqual([
      [MRN1, 'A00', 123456, '2024-03-05', 2],
      [MRN1, 'B00', 25010, '2024-03-05', 3],
      [MRN2, 'A00', -1200, '', 4],
    ]);
    const again = parseDdesCsv(csv([HEADER, `1234567,${MRN1},A00,1.00,2024-03-05,,2024-03-01,2024-03-31`]), 'other.csv', 't1');
    expect(again.statements[0]!.statementId).toBe(s.statementId);
    expect(parseDdesCsv(csv([HEADER, `1234567,${MRN1},A00,1.00,2024-03-05,,2024-03-01,2024-03-31`]), 'x.csv', 't2').statements[0]!.statementId).not.toBe(s.statementId);
  });

  it('names the row and column of each bad value and keeps the good rows', () => {
    const r = parseDdesCsv(
      csv([
        HEADER,
        `123456,${MRN1},A00,1.00,,,,`,
        `1234567,NOTANMRN,A00,1.00,,,,`,
        `1234567,${MRN1},VAT,1.00,,,,`,
        `1234567,${MRN1},A00,1.005,,,,`,
        `1234567,${MRN1},A00,,2024-02-30,,,`,
        `1234567,${MRN1},B00,9.99,,,,`,
      ]),
      'bad.csv',
      't1',
    );
    expect(r.issues.map((i) => [i.row, i.field, i.code])).toEqual([
      [2, 'dan', 'INVALID_VALUE'],
      [3, 'mrn', 'INVALID_VALUE'],
      [4, 'taxType', 'INVALID_VALUE'],
      [5, 'amount', 'INVALID_VALUE'],
      [6, 'amount', 'MISSING_VALUE'],
      [6, 'date', 'INVALID_VALUE'],
    ]);
    expect(r.issues[0]!.location).toBe('row 2');
    expect(r.statements[0]!.lines.map((l) => l.row)).toEqual([7]);
  });

  it('refuses a file without the required columns, naming the column', () => {
    const r = parseDdesCsv(csv(['DAN,MRN,Amount', `1234567,${MRN1},1.00`]), 'x.csv', 't1');
    expect(r.statements).toEqual([]);
    expect(r.issues.map((i) => [i.field, i.code, i.row])).toEqual([['taxType', 'MISSING_COLUMN', 1]]);
  });

  it('stops reading past the line cap instead of reading the whole file', () => {
    const rows = [HEADER];
    for (let i = 0; i < MAX_DDES_LINES + 5; i++) rows.push(`1234567,${MRN1},A00,1.00,,,,`);
    const r = parseDdesCsv(csv(rows), 'big.csv', 't1');
    expect(r.statements).toEqual([]);
    expect(r.issues.map((i) => i.code)).toEqual(['TOO_MANY_LINES']);
  });

  it('recognises a statement header and converts pounds exactly', () => {
    expect(looksLikeDdes(HEADER)).toBe(true);
    expect(looksLikeDdes('Supplier,Invoice Number,Line Value,Currency')).toBe(false);
    expect([poundsToPence('0.1'), poundsToPence('£1,000'), poundsToPence('-0.07'), poundsToPence('1.234'), poundsToPence('1e3')]).toEqual([10, 100000, -7, undefined, undefined]);
  });
});
