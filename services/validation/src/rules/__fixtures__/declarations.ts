// Realistic clean declarations for rule unit tests: GB EORIs, direct representation, the
// importer's FR1 VAT number, an N935 invoice on every item, free circulation (4000/000) and
// valuation method 1. Tests change only what the rule under test looks at.
import { Declaration, GoodsItem, TaxLine } from '@customs/contracts';

export const IMPORTER = 'GB553202734852';
export const BROKER = 'GB603202734852';

export function item(partial: Partial<GoodsItem> = {}): GoodsItem {
  return GoodsItem.fromPartial({
    itemNumber: 1,
    commodityCode: '6109100010',
    description: 'Men’s T-shirts of cotton, knitted',
    procedureCode: '4000',
    additionalProcedureCodes: ['000'],
    originCountry: 'CN',
    dispatchCountry: 'CN',
    preference: '100',
    valuationMethod: '1',
    valuationIndicators: '0000',
    netMassKg: '120.000',
    grossMassKg: '131.500',
    supplementaryUnits: '600',
    documents: [{ code: 'N935', reference: 'INV-2023-0117', status: 'AC', reason: '' }],
    ...partial,
  });
}

export function declaration(items: GoodsItem[], header: Partial<Declaration> = {}): Declaration {
  return Declaration.fromPartial({
    tenantId: 't1',
    declarationId: 'd1',
    version: 1,
    mrn: '23GB1234567890ABC1',
    lrn: 'LRN-0117',
    acceptanceDate: '2023-01-17',
    parties: [
      { role: 'importer', id: IMPORTER },
      { role: 'declarant', id: BROKER },
    ],
    importerEori: IMPORTER,
    representativeStatus: '2',
    fiscalReferences: [{ role: 'FR1', vatId: 'GB553202734' }],
    defermentAccounts: ['1108654'],
    incoterm: 'CIF',
    deliveryLocation: 'GBFXT',
    items,
    ...header,
  });
}

/** Pence → exact GBP decimal string (integer arithmetic). */
export const gbp = (pence: number) => `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;

/** Customs duty line: payable pence on a GBP base (pence). */
export function a00(payablePence: number, basePence: number, rate = ''): TaxLine {
  return TaxLine.fromPartial({ taxType: 'A00', payablePence, baseAmount: gbp(basePence), baseUnit: 'GBP', rate, methodOfPayment: 'E', traderDeclared: true });
}

/** Any duty line of a DE 4/3 type. */
export function duty(taxType: string, payablePence: number): TaxLine {
  return TaxLine.fromPartial({ taxType, payablePence, methodOfPayment: 'E', traderDeclared: true });
}

/** Import VAT line: payable pence on a GBP base (pence) at a declared rate. */
export function b00(payablePence: number, basePence: number, rate = '20.00', methodOfPayment = 'G'): TaxLine {
  return TaxLine.fromPartial({ taxType: 'B00', payablePence, baseAmount: gbp(basePence), baseUnit: 'GBP', rate, methodOfPayment, traderDeclared: true });
}
