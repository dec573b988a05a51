import { floor, formatPence, formatPoundsExact, parseDecimal, roundHalfUp, toDecimalString, tryParseDecimal } from './rational';

describe('exact decimals', () => {
  it.each([
    ['12.00', 1200n, 100n],
    ['1,234.5678', 12345678n, 10000n],
    ['-0.5', -5n, 10n],
    ['.25', 25n, 100n],
    ['7', 7n, 1n],
  ])('parses %s', (text, n, d) => {
    expect(parseDecimal(text, 't')).toEqual({ n, d });
  });
  it.each(['1,5', '1.2.3', '', 'abc', '12%', '1e5'])('rejects %j', (text) => {
    expect(tryParseDecimal(text)).toBeUndefined();
  });
  it.each([
    [{ n: 148147n, d: 1000n }, 148n, 148n],
    [{ n: 5n, d: 10n }, 0n, 1n],
    [{ n: -5n, d: 10n }, -1n, -1n],
    [{ n: -148147n, d: 1000n }, -149n, -148n],
    [{ n: 80606158n, d: 1000000n }, 80n, 81n],
  ])('floor / roundHalfUp of %o', (r, f, h) => {
    expect(floor(r)).toBe(f);
    expect(roundHalfUp(r)).toBe(h);
  });
  it('renders exact and inexact values distinctly', () => {
    expect(toDecimalString({ n: 1481472n, d: 10000n }, 2)).toBe('148.1472');
    expect(toDecimalString({ n: 1n, d: 3n }, 2)).toBe('0.333333…');
    expect(toDecimalString({ n: 12n, d: 1n }, 2)).toBe('12.00');
    expect(formatPoundsExact({ n: 123456789n, d: 1n })).toBe('1,234,567.89');
    expect(formatPence(123456)).toBe('£1,234.56');
    expect(formatPence(-5)).toBe('-£0.05');
  });
});
