import type {
  DutyLineInput as DutyLineInputMsg,
  DutyLineResult as DutyLineResultMsg,
  DutyMeasureInput as DutyMeasureInputMsg,
  DutyQuantities as DutyQuantitiesMsg,
  DutyQuotaAllocation as DutyQuotaAllocationMsg,
  DutyVatInput as DutyVatInputMsg,
} from '@customs/contracts';
import { computeDutyLine, type CurrencyRates, type DutyLineInput, type DutyLineResult, type DutyMeasureInput, type DutyQuantities, type QuotaAllocationInput, type VatInput } from '@customs/duty';
import { allocateQuota, type HeldQuotaDefinition } from '../app/quota-allocation';

/** "" in proto3 means "not given": the engine wants undefined. */
const opt = (s: string | undefined) => (s === undefined || s === '' ? undefined : s);

function quantities(q: DutyQuantitiesMsg | undefined): DutyQuantities {
  if (!q) return {};
  const byUnit = Object.keys(q.byUnit ?? {}).length ? q.byUnit : undefined;
  return {
    netMassKg: opt(q.netMassKg),
    grossMassKg: opt(q.grossMassKg),
    supplementaryUnits: opt(q.supplementaryUnits),
    supplementaryUnit: opt(q.supplementaryUnit),
    alcoholPercentVol: opt(q.alcoholPercentVol),
    sucrosePercent: opt(q.sucrosePercent),
    retailPriceGbp: opt(q.retailPriceGbp),
    sprDiscountGbpPerLpa: opt(q.sprDiscountGbpPerLpa),
    byUnit,
  };
}

const measure = (x: DutyMeasureInputMsg): DutyMeasureInput => ({
  measureType: x.measureType,
  taxType: x.taxType,
  expression: x.expression,
  source: x.source,
  methodOfPayment: opt(x.methodOfPayment),
});

function vat(v: DutyVatInputMsg | undefined): VatInput | undefined {
  if (!v) return undefined;
  return {
    declaredAdditionalCodes: v.declaredAdditionalCodes.length ? v.declaredAdditionalCodes : undefined,
    // proto3 cannot tell an empty list from an absent one: measures_loaded says which it is.
    measures: v.measuresLoaded ? v.measures.map((m) => ({ expression: m.expression, additionalCode: opt(m.additionalCode), source: m.source })) : undefined,
    declaredRatePercent: opt(v.declaredRatePercent),
    methodOfPayment: opt(v.methodOfPayment),
  };
}

function quota(q: DutyQuotaAllocationMsg | undefined, acceptanceDate: string, held: readonly HeldQuotaDefinition[], notes: string[]): QuotaAllocationInput | undefined {
  if (!q) return undefined;
  if (!q.measure) throw new Error(`quota.measure: the in-quota measure of order number ${q.orderNumber || '(none)'} is required`);
  let allocated = q.allocatedQuantity;
  if (allocated === '') {
    // Not given: decided from the quota definitions reference holds; unknown says why.
    const a = allocateQuota(held, q.orderNumber, q.declaredQuantity, acceptanceDate);
    if (a.status === 'unknown') throw new Error(`quota.allocated_quantity: ${a.reason}`);
    allocated = a.allocatedQuantity;
    notes.push(`Quota allocation: ${a.reason}`);
  }
  return {
    orderNumber: q.orderNumber,
    measure: measure(q.measure),
    allocatedQuantity: allocated,
    declaredQuantity: q.declaredQuantity,
    unit: opt(q.unit),
    replacesMeasureType: opt(q.replacesMeasureType),
  };
}

/** Proto line → engine input; throws with the field named when the line cannot be read. */
export function toEngineInput(m: DutyLineInputMsg, held: readonly HeldQuotaDefinition[] = [], notes: string[] = []): DutyLineInput {
  const cv = m.customsValue?.value;
  if (!cv) throw new Error('customs_value: give pence or an invoice value');
  if (m.customsValueRounding && m.customsValueRounding !== 'halfUp' && m.customsValueRounding !== 'down') throw new Error(`customs_value_rounding: "${m.customsValueRounding}" is not halfUp or down`);
  const rates: CurrencyRates = {};
  for (const [cur, r] of Object.entries(m.currencyRates ?? {})) rates[cur] = { unitsPerGbp: r.unitsPerGbp, source: r.source };
  return {
    acceptanceDate: m.acceptanceDate,
    customsValue:
      cv.$case === 'pence'
        ? { pence: cv.pence }
        : {
            amount: cv.invoice.amount,
            currency: cv.invoice.currency,
            unitsPerGbp: cv.invoice.unitsPerGbp,
            rateSource: cv.invoice.rateSource,
            additions: opt(cv.invoice.additions),
            deductions: opt(cv.invoice.deductions),
          },
    customsValueRounding: (opt(m.customsValueRounding) as DutyLineInput['customsValueRounding']) ?? undefined,
    quantities: quantities(m.quantities),
    measures: m.measures.map(measure),
    currencyRates: Object.keys(rates).length ? rates : undefined,
    vatRatePercent: opt(m.vatRatePercent),
    exciseAndOtherPence: m.exciseAndOtherPence || undefined,
    vatAdjustmentsPence: m.vatAdjustmentsPence || undefined,
    procedure: m.procedure ? { cpc: opt(m.procedure.cpc), apcs: m.procedure.apcs.length ? m.procedure.apcs : undefined } : undefined,
    vat: vat(m.vat),
    tradeRemediesUnknownReason: opt(m.tradeRemediesUnknownReason),
    exciseUnknownReason: opt(m.exciseUnknownReason),
    quota: quota(m.quota, m.acceptanceDate, held, notes),
  };
}

export function toResultMsg(r: DutyLineResult): DutyLineResultMsg {
  return {
    status: r.status,
    unknownReason: r.unknownReason ?? '',
    customsValuePence: r.customsValuePence,
    dutyPence: r.dutyPence,
    vatPence: r.vatPence,
    vatValuePence: r.vatValuePence,
    excisePence: r.excisePence,
    payableDutyPence: r.payableDutyPence,
    payableVatPence: r.payableVatPence,
    taxLines: r.taxLines.map((t) => ({
      taxType: t.taxType,
      measureType: t.measureType,
      source: t.source,
      status: t.status,
      unknownReason: t.unknownReason ?? '',
      basePence: t.basePence,
      baseQuantity: t.baseQuantity ?? '',
      expression: t.expression,
      amountPence: t.amountPence,
      exactAmount: t.exactAmount ?? '',
      explanation: t.explanation,
      liability: t.liability,
      liabilityReason: t.liabilityReason ?? '',
      payablePence: t.payablePence,
      vatCategory: t.vatCategory ?? '',
      quota: t.quota ? { orderNumber: t.quota.orderNumber, portion: t.quota.portion, share: t.quota.share } : undefined,
    })),
    explanation: r.explanation,
  };
}

/** One line through the engine; a line the engine cannot take is answered "unknown" with why, never failing the batch. */
export function computeLine(m: DutyLineInputMsg, held: readonly HeldQuotaDefinition[] = []): DutyLineResultMsg {
  try {
    const notes: string[] = [];
    const r = toResultMsg(computeDutyLine(toEngineInput(m, held, notes)));
    r.explanation = [...notes, ...r.explanation];
    return r;
  } catch (e) {
    return {
      status: 'unknown',
      unknownReason: (e as Error).message,
      customsValuePence: 0,
      dutyPence: 0,
      vatPence: 0,
      vatValuePence: undefined,
      excisePence: 0,
      payableDutyPence: undefined,
      payableVatPence: undefined,
      taxLines: [],
      explanation: [],
    };
  }
}
