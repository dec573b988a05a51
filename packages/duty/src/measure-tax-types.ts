// Reads codes/measure_type_to_tax_type.csv (no header; "measure type[|additional code], DS/DQ/AD/…,
// CHIEF code, DE 4/3 tax type, description") from text the caller has loaded. Only rows that carry
// a tax type are kept: prohibitions and restrictions have none.

export interface MeasureTaxType {
  measureType: string;
  /** Set for rows such as "719|C673" that apply only with that additional code. */
  additionalCode?: string;
  taxType: string;
  description: string;
}

export function parseMeasureTypeTaxTypes(csvText: string): Map<string, MeasureTaxType> {
  const out = new Map<string, MeasureTaxType>();
  for (const raw of csvText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(',');
    const key = (cols[0] ?? '').trim();
    const taxType = (cols[3] ?? '').trim();
    if (key === '' || taxType === '') continue;
    const [measureType, additionalCode] = key.split('|') as [string, string | undefined];
    // Later duplicate rows (145 appears as a preference and as a quota) must not override the first.
    if (out.has(key)) continue;
    out.set(key, { measureType, ...(additionalCode ? { additionalCode } : {}), taxType, description: cols.slice(4).join(',').trim() });
  }
  return out;
}
