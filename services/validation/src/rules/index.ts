import { c01IdentifierFormat } from './c01-identifier-format';
import { c02UnknownDeclarant } from './c02-unknown-declarant';
import { c03UnreconcilableItem } from './c03-unreconcilable-item';
import { c04Mass } from './c04-mass';
import { c05InvoiceTotals } from './c05-invoice-totals';
import { c06CustomsValueFx } from './c06-customs-value-fx';
import { c07ZeroValue } from './c07-zero-value';
import { c08CommodityValidity } from './c08-commodity-validity';
import { c09DutyRate } from './c09-duty-rate';
import { c12VagueDescription } from './c12-vague-description';
import { c13SupplementaryUnits } from './c13-supplementary-units';
import { c14TradeRemedies } from './c14-trade-remedies';
import { c15SuspensionNotUsed } from './c15-suspension-not-used';
import { c16PreferenceWithoutProof } from './c16-preference-without-proof';
import { c17NonPartnerOrigin } from './c17-non-partner-origin';
import { c18ProofNotAccepted } from './c18-proof-not-accepted';
import { c19PreferenceOrigin } from './c19-preference-origin';
import { c21MissedPreference } from './c21-missed-preference';
import { c22MissedDcts } from './c22-missed-dcts';
import { c24Quota } from './c24-quota';
import { c25IndirectDispatch } from './c25-indirect-dispatch';
import { c26FreightAdditions } from './c26-freight-additions';
import { c27PostArrivalCosts } from './c27-post-arrival-costs';
import { c28ValuationDocuments } from './c28-valuation-documents';
import { c29RelatedParty } from './c29-related-party';
import { c31KeyingErrors } from './c31-keying-errors';
import { c32ReturnedGoods } from './c32-returned-goods';
import { c33ProcedureAuthorisation } from './c33-procedure-authorisation';
import { c35ZeroDuty } from './c35-zero-duty';
import { c36OprWorksheet } from './c36-opr-worksheet';
import { c38VatRate } from './c38-vat-rate';
import { c39VatValue } from './c39-vat-value';
import { c40PostponedVatNotUsed } from './c40-postponed-vat-not-used';
import { c41PostponedVat } from './c41-postponed-vat';
import type { Rule } from './types';

export * from './types';
export * from './engine';

/** Every live per-declaration rule, in catalogue order (DOMAIN.md §3). */
export const RULES: readonly Rule[] = [
  c01IdentifierFormat,
  c02UnknownDeclarant,
  c03UnreconcilableItem,
  c04Mass,
  c05InvoiceTotals,
  c06CustomsValueFx,
  c07ZeroValue,
  c08CommodityValidity,
  c09DutyRate,
  c12VagueDescription,
  c13SupplementaryUnits,
  c14TradeRemedies,
  c15SuspensionNotUsed,
  c16PreferenceWithoutProof,
  c17NonPartnerOrigin,
  c18ProofNotAccepted,
  c19PreferenceOrigin,
  c21MissedPreference,
  c22MissedDcts,
  c24Quota,
  c25IndirectDispatch,
  c26FreightAdditions,
  c27PostArrivalCosts,
  c28ValuationDocuments,
  c29RelatedParty,
  c31KeyingErrors,
  c32ReturnedGoods,
  c33ProcedureAuthorisation,
  c35ZeroDuty,
  c36OprWorksheet,
  c38VatRate,
  c39VatValue,
  c40PostponedVatNotUsed,
  c41PostponedVat,
];
