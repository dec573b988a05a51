import { c01IdentifierFormat } from './c01-identifier-format';
import { c04Mass } from './c04-mass';
import { c08CommodityValidity } from './c08-commodity-validity';
import { c16PreferenceWithoutProof } from './c16-preference-without-proof';
import { c19PreferenceOrigin } from './c19-preference-origin';
import { c24Quota } from './c24-quota';
import { c28ValuationDocuments } from './c28-valuation-documents';
import { c33ProcedureAuthorisation } from './c33-procedure-authorisation';
import { c41PostponedVat } from './c41-postponed-vat';
import type { Rule } from './types';

export * from './types';
export * from './engine';

/** Every live per-declaration rule, in catalogue order. */
export const RULES: readonly Rule[] = [c01IdentifierFormat, c04Mass, c08CommodityValidity, c16PreferenceWithoutProof, c19PreferenceOrigin, c24Quota, c28ValuationDocuments, c33ProcedureAuthorisation, c41PostponedVat];
