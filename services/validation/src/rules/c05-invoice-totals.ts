import { Severity } from '@customs/contracts';
import type { Rule } from './types';

/** Exact decimal → integer hundredths (no floats). */
function cents(v: string): bigint | undefined {
  const m = /^(\d+)(?:\.(\d{1,2})\d*)?$/.exec(v.trim());
  return m ? BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0') : undefined;
}

/** C05 — Total amount invoiced does not equal the sum of the item prices. */
export const c05InvoiceTotals: Rule = {
  meta: {
    id: 'C05',
    version: '1.0.0',
    title: 'Invoice total does not reconcile with the item prices',
    family: 'data-integrity',
    dataElements: ['DE 4/11 total amount invoiced', 'DE 4/14 item price'],
    legalBasis: 'DE 4/11 must equal the sum of DE 4/14 in the same currency (SPIMM group 4 guidance; CDS error 12082; DOMAIN.md §3.1 C05)',
    severityLogic: 'MEDIUM: part of the invoice may be undeclared (or declared twice)',
    pricing: 'difference × duty rate once the missing lines are identified (the finding states the difference)',
    correctionRoute: 'C2001 if goods were under-declared; C285 "Incorrect value" if over-declared',
    businessRule: 'The total amount invoiced equals the sum of the item prices when all are in the same currency.',
  },
  evaluate({ declaration }) {
    const total = declaration.invoiceAmount;
    if (!total?.value || declaration.items.length === 0) return [];
    const currency = (total.currency || '').toUpperCase();
    const prices = declaration.items.map((i) => i.itemPrice);
    if (prices.some((p) => !p?.value || (p.currency || '').toUpperCase() !== currency)) return [];
    const declared = cents(total.value);
    const parts = prices.map((p) => cents(p!.value));
    if (declared === undefined || parts.some((p) => p === undefined)) return [];
    const sum = parts.reduce((s, p) => s! + p!, 0n)!;
    if (sum === declared) return [];
    const diff = declared - sum;
    const fmt = (c: bigint) => `${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${String((c < 0n ? -c : c) % 100n).padStart(2, '0')}`;
    return [
      {
        itemNumber: 0,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          { field: 'DE 4/11 total amount invoiced', value: `${total.value} ${currency}`, note: '' },
          { field: 'sum of DE 4/14 item prices', value: `${fmt(sum)} ${currency}`, note: `${declaration.items.length} item(s)` },
        ],
        explanation: `The invoice total ${total.value} ${currency} differs from the sum of the item prices ${fmt(sum)} ${currency} by ${fmt(diff)} ${currency}${diff > 0n ? ': part of the invoice may not be declared' : ': the items add up to more than the invoice'}.`,
        remediation: 'Reconcile the declaration with the commercial invoice; disclose (C2001) any undeclared lines, or claim back (C285) an over-declared value.',
      },
    ];
  },
};
