import { fromScaled, toScaled } from '../money';
import type { Injector } from './types';

/** C05: the invoice total includes a line that was not declared as an item. */
export const c05: Injector = {
  ruleId: 'C05',
  description: 'invoice total (DE 4/11) includes an undeclared invoice line',
  wants: { anyProcedure: true },
  inject(draft, { rng }) {
    const d = draft.declaration;
    if (!d.invoiceAmount) return undefined;
    const extra = BigInt(rng.int(1_000, 500_000));
    d.invoiceAmount.value = fromScaled(toScaled(d.invoiceAmount.value, 2) + extra, 2);
    return [{ itemNumber: 0, note: `invoice total raised by ${fromScaled(extra, 2)} ${d.invoiceAmount.currency}` }];
  },
};
