import { c01IdentifierFormat } from './c01-identifier-format';
import { c04Mass } from './c04-mass';
import { c05InvoiceTotals } from './c05-invoice-totals';
import { c08CommodityValidity } from './c08-commodity-validity';
import { c16PreferenceWithoutProof } from './c16-preference-without-proof';
import { c19PreferenceOrigin } from './c19-preference-origin';
import { c24Quota } from './c24-quota';
import { c26FreightAdditions } from './c26-freight-additions';
import { c27PostArrivalCosts } from './c27-post-arrival-costs';
import { c28ValuationDocuments } from './c28-valuation-documents';
import { c29RelatedParty } from './c29-related-party';
import { c32ReturnedGoods } from './c32-returned-goods';
import { c33ProcedureAuthorisation } from './c33-procedure-authorisation';
import { c36OprWorksheet } from './c36-opr-worksheet';
import { c41PostponedVat } from './c41-postponed-vat';
import type { Rule } from './types';

export * from './types';
export * from './engine';

/** Every live per-declaration rule, in catalogue order. */
export const RULES: readonly Rule[] = [
  c01IdentifierFormat,
  c04Mass,
  c05InvoiceTotals,
  c08CommodityValidity,
  c16PreferenceWithoutProof,
  c19PreferenceOrigin,
  c24Quota,
  c26FreightAdditions,
  c27PostArrivalCosts,
  c28ValuationDocuments,
  c29RelatedParty,
  c32ReturnedGoods,
  c33ProcedureAuthorisation,
  c36OprWorksheet,
  c41PostponedVat,
];
