// Test/script-only reader of the CDS tax calculations in HMRC's DMS notification samples
// (DutyTaxFee blocks of RES messages), namespace-prefix tolerant.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const HMRC_FIXTURES = path.resolve(__dirname, '../../../testing/fixtures/hmrc');

export interface NotifiedTax {
  taxType: string;
  ratePercent?: string;
  baseGbp?: string;
  assessedGbp?: string;
}

const field = (block: string, name: string): string | undefined => new RegExp(`<(?:\\w+:)?${name}\\b[^>]*>([^<]*)</`).exec(block)?.[1]?.trim();

/** Tax lines per goods item of a DMS notification file. */
export function notifiedTaxes(relPath: string): NotifiedTax[][] {
  const xml = fs.readFileSync(path.join(HMRC_FIXTURES, relPath), 'utf8');
  const items = xml.split(/<(?:\w+:)?GovernmentAgencyGoodsItem>/).slice(1);
  return items.map((item) =>
    [...item.matchAll(/<(?:\w+:)?DutyTaxFee>([\s\S]*?)<\/(?:\w+:)?DutyTaxFee>/g)].map((m) => {
      const b = m[1]!;
      const t: NotifiedTax = { taxType: field(b, 'TypeCode') ?? '' };
      const rate = field(b, 'TaxRateNumeric');
      const base = field(b, 'AdValoremTaxBaseAmount');
      const assessed = field(b, 'TaxAssessedAmount');
      if (rate !== undefined) t.ratePercent = rate;
      if (base !== undefined) t.baseGbp = base;
      if (assessed !== undefined) t.assessedGbp = assessed;
      return t;
    }),
  );
}
