// Exact money arithmetic on scaled bigints (no binary floats touch an amount).

/** Exact decimal string → integer units of 10^-scale; throws on anything else. */
export function toScaled(value: string, scale: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not an unsigned decimal`);
  const frac = (m[2] ?? '').padEnd(scale, '0').slice(0, scale);
  return BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt(frac || '0');
}

/** Integer units of 10^-scale → decimal string with exactly `scale` decimals. */
export function fromScaled(units: bigint, scale: number): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const base = 10n ** BigInt(scale);
  const whole = abs / base;
  const frac = scale === 0 ? '' : `.${String(abs % base).padStart(scale, '0')}`;
  return `${neg ? '-' : ''}${whole}${frac}`;
}

/** Pence → "1234.56". */
export const penceToGbp = (pence: number | bigint): string => fromScaled(BigInt(pence), 2);

/**
 * Customs value in pence of an amount in a currency at an HMRC monthly rate (units per £1):
 * amount / rate, rounded down to the penny as CDS does.
 */
export function convertToPence(amountCents: bigint, currency: string, unitsPerGbp: string): bigint {
  if (currency === 'GBP') return amountCents;
  const rate = toScaled(unitsPerGbp, 6);
  if (rate === 0n) throw new Error(`zero exchange rate for ${currency}`);
  return (amountCents * 1_000_000n) / rate;
}

/** Ad valorem rate expression ("12.0%", "2.00%") → rate × 10^6 (1% = 10000), or undefined. */
export function adValorem(expression: string): bigint | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(expression);
  return m ? toScaled(m[1]!, 4) : undefined;
}

/** Tax at an ad valorem rate (×10^6) on a base in pence, each line rounded down to the penny. */
export function taxPence(basePence: bigint, rate: bigint): bigint {
  return (basePence * rate) / 1_000_000n;
}

/** Rate ×10^6 → percent string as CDS prints DE 4/5, e.g. 120000 → "12.00". */
export function ratePercent(rate: bigint): string {
  return fromScaled(rate / 100n, 2);
}
