// Exact decimal helpers for history pricing: integer pence, each line rounded down as CDS does.

/** Exact decimal string → integer count of 1/10^scale units; undefined when not a plain decimal. */
export function scaled(value: string, scale: number): bigint | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(scale, '0').slice(0, scale);
  return BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt(frac || '0');
}

/** A declared percentage rate ("4", "12.00") as parts per 10^6 of 1 (4 % → 40_000). */
export function percentRate(rate: string): bigint | undefined {
  const r = scaled(rate.replace(/%$/, ''), 4);
  return r === undefined ? undefined : r;
}

/** pence × rate (parts per million of 100 %, i.e. percent scaled 10^4) rounded down; negative amounts round towards zero. */
export function applyRate(pence: number, rate: bigint): number {
  const neg = pence < 0;
  const v = (BigInt(Math.abs(pence)) * rate) / 1_000_000n;
  return Number(neg ? -v : v);
}

export function pounds(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const p = Math.abs(pence);
  return `${sign}£${String(Math.floor(p / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(p % 100).padStart(2, '0')}`;
}
