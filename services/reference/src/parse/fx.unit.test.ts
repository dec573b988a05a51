import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHmrcMonthlyCsv, parseHmrcMonthlyXml } from './fx';

const dir = path.resolve(__dirname, '../../data/exchange_rates');

describe('HMRC monthly exchange rates', () => {
  it('reads the XML publication (EUR Jan 2023 = 1.1652, USD 1.2406; EUR Jun 2023 = 1.1489)', () => {
    const jan = parseHmrcMonthlyXml('0123', fs.readFileSync(path.join(dir, 'hmrc_monthly_xml_sample/exrates-monthly-0123.xml'), 'utf8'));
    expect(jan.find((r) => r.currency === 'EUR')).toEqual({ currency: 'EUR', start: '2023-01-01', end: '2023-01-31', rate: '1.1652' });
    expect(jan.find((r) => r.currency === 'USD')?.rate).toBe('1.2406');
    const jun = parseHmrcMonthlyXml('0623', fs.readFileSync(path.join(dir, 'hmrc_monthly_xml_sample/exrates-monthly-0623.xml'), 'utf8'));
    expect(jun.find((r) => r.currency === 'EUR')).toEqual({ currency: 'EUR', start: '2023-06-01', end: '2023-06-30', rate: '1.1489' });
  });

  it('reads the CSV as HMRC published it (Windows-1252 "£" header) and agrees with the XML for every currency', () => {
    const csv = parseHmrcMonthlyCsv('0123.csv', fs.readFileSync(path.join(dir, 'hmrc_monthly_original/exrates-monthly-0123.csv')));
    const xml = parseHmrcMonthlyXml('0123.xml', fs.readFileSync(path.join(dir, 'hmrc_monthly_xml_sample/exrates-monthly-0123.xml'), 'utf8'));
    expect(csv.find((r) => r.currency === 'EUR')).toEqual({ currency: 'EUR', start: '2023-01-01', end: '2023-01-31', rate: '1.1652' });
    expect(csv.length).toBeGreaterThan(100);
    const byCur = new Map(xml.map((r) => [r.currency, r.rate]));
    for (const r of csv) if (byCur.has(r.currency)) expect({ c: r.currency, rate: r.rate }).toEqual({ c: r.currency, rate: byCur.get(r.currency) });
  });

  it('refuses any DOCTYPE: no DTD processing, no external entity (XXE) and no entity expansion', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><exchangeRateMonthList Period="01/Jan/2023 to 31/Jan/2023"><exchangeRate><currencyCode>EUR</currencyCode><rateNew>&xxe;</rateNew></exchangeRate></exchangeRateMonthList>`;
    expect(() => parseHmrcMonthlyXml('evil.xml', xxe)).toThrow('evil.xml: line 1: DOCTYPE declarations are not accepted (no DTD processing)');
    const bomb = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><exchangeRateMonthList Period="01/Jan/2023 to 31/Jan/2023"/>`;
    expect(() => parseHmrcMonthlyXml('bomb.xml', bomb)).toThrow(/DOCTYPE declarations are not accepted/);
  });

  it('names the entry and field of a bad value', () => {
    const bad = `<exchangeRateMonthList Period="01/Jan/2023 to 31/Jan/2023"><exchangeRate><currencyCode>EUR</currencyCode><rateNew>1,1652</rateNew></exchangeRate></exchangeRateMonthList>`;
    expect(() => parseHmrcMonthlyXml('bad.xml', bad)).toThrow('exchangeRate EUR field rateNew: "1,1652" is not a decimal');
    expect(() => parseHmrcMonthlyXml('p.xml', '<exchangeRateMonthList Period="January"/>')).toThrow(/attribute Period/);
  });
});
