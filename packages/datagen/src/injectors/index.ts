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
import type { Injector } from './types';

export type { ExpectedHit, Injector } from './types';

/** Every injector, in catalogue order. */
export const INJECTORS: readonly Injector[] = [c01, c04, c05, c08, c16, c19, c24, c26, c27, c28, c29, c32, c33, c36, c41];
