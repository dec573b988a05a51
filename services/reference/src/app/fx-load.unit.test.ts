import * as fs from 'node:fs';
import * as path from 'node:path';
import { FxImportError, parseFxFile } from './fx-load';

const dir = path.resolve(__dirname, '../../data/exchange_rates');

describe('FX file detection and one rate per currency and month', () => {
  it('tells HMRC XML, HMRC CSV and the normalised CSV apart by content', () => {
    expect(parseFxFile('x', fs.readFileSync(path.join(dir, 'hmrc_monthly_xml_sample/exrates-monthly-0623.xml'))).format).toBe('hmrc-xml');
    expect(parseFxFile('c', fs.readFileSync(path.join(dir, 'hmrc_monthly_original/exrates-monthly-0623.csv'))).format).toBe('hmrc-csv');
    expect(parseFxFile('n', Buffer.from('EUR,2023-06-01,2023-06-30,1.1489\n'))).toEqual({
      format: 'normalised-csv',
      rows: [{ currency: 'EUR', start: '2023-06-01', end: '2023-06-30', rate: '1.1489' }],
    });
  });

  it('keeps one XOF row although HMRC lists the CFA franc for each country using it (Jun 2023)', () => {
    const { rows } = parseFxFile('c', fs.readFileSync(path.join(dir, 'hmrc_monthly_original/exrates-monthly-0623.csv')));
    expect(rows.filter((r) => r.currency === 'XOF')).toEqual([{ currency: 'XOF', start: '2023-06-01', end: '2023-06-30', rate: '753.6588' }]);
    expect(rows.find((r) => r.currency === 'USD')!.rate).toBe('1.2366');
  });

  it('refuses a file that gives one currency two rates for the same month, and malformed files', () => {
    expect(() => parseFxFile('n', Buffer.from('EUR,2023-06-01,2023-06-30,1.1489\nEUR,2023-06-01,2023-06-30,1.2\n'))).toThrow(
      new FxImportError('n: EUR 2023-06-01..2023-06-30 has two different rates (1.1489 and 1.2)'),
    );
    expect(() => parseFxFile('n', Buffer.from('EUR,June,2023-06-30,1.1489\n'))).toThrow(FxImportError);
  });
});
