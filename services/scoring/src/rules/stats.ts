// Robust statistics for the unit-value check: median and median absolute deviation (MAD).

export function median(xs: readonly number[]): number {
  // A typed array sorts numerically and without a comparator call per step.
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Median and MAD of a sample; the modified z-score of x is 0.6745·(x − median)/MAD (Iglewicz & Hoaglin). */
export function medianMad(xs: readonly number[]): { median: number; mad: number } {
  const m = median(xs);
  return { median: m, mad: median(xs.map((x) => Math.abs(x - m))) };
}

export function modifiedZ(x: number, m: { median: number; mad: number }): number {
  return (0.6745 * (x - m.median)) / m.mad;
}
