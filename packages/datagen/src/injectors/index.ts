// One injector per rule, each in its own file; a new rule adds its file and one line here.
import { c01 } from './c01-identifier-format';
import { c04 } from './c04-mass';
import { c05 } from './c05-invoice-totals';
import { c08 } from './c08-commodity-validity';
import { c16 } from './c16-preference-without-proof';
import { c19 } from './c19-preference-origin';
import { c24 } from './c24-quota';
import { c26 } from './c26-freight-additions';
import { c27 } from './c27-post-arrival-costs';
import { c28 } from './c28-valuation-documents';
import { c29 } from './c29-related-party';
import { c32 } from './c32-returned-goods';
import { c33 } from './c33-procedure-authorisation';
import { c36 } from './c36-opr-worksheet';
import { c41 } from './c41-postponed-vat';
import { c02 } from './c02-unknown-declarant';
import { c03 } from './c03-unreconcilable-item';
import { c06 } from './c06-customs-value-fx';
import { c07 } from './c07-zero-value';
import { c09 } from './c09-duty-rate';
import { c12 } from './c12-vague-description';
import { c14 } from './c14-trade-remedy-missed';
import { c15 } from './c15-suspension-not-claimed';
import { c13 } from './c13-supplementary-units';
import { c17 } from './c17-non-partner-origin';
import { c18 } from './c18-proof-not-accepted';
import { c21 } from './c21-missed-preference';
import { c22 } from './c22-missed-dcts';
import { c25 } from './c25-indirect-dispatch';
import { c31 } from './c31-keying-errors';
import { c35 } from './c35-zero-duty';
import { c38 } from './c38-vat-rate';
import { c39 } from './c39-vat-value';
import { c40 } from './c40-postponed-vat-not-used';
import type { Injector } from './types';

export type { ExpectedHit, Injector } from './types';

/** Every injector, in catalogue order. */
// C14 (trade remedies) and C15 (suspensions) work on the MODELLED tariff lines of src/modelled.ts:
// no remedy or suspension measures are shipped, so the catalogue itself excludes every code UKGT flags with one.
export const INJECTORS: readonly Injector[] = [
  c01,
  c02,
  c03,
  c04,
  c05,
  c06,
  c07,
  c08,
  c09,
  c12,
  c13,
  c14,
  c15,
  c16,
  c17,
  c18,
  c19,
  c21,
  c22,
  c24,
  c25,
  c26,
  c27,
  c28,
  c29,
  c31,
  c32,
  c33,
  c35,
  c36,
  c38,
  c39,
  c40,
  c41,
];
