// Canonical Declaration → HMRC CDS data report rows (import header, item and tax-line CSVs), in
// the column names the ingestion parser's alias table reads (services/ingestion/src/parse/cds/
// cds-report.ts) and the layout of packages/testing/fixtures/cds-reports. What the reports do not
// carry (Incoterms, DE 4/9 adjustments, DE 4/13, DE 3/39–3/40, previous documents) is lost, as it
// is with real reports.
import type { Declaration } from '@customs/contracts';

export const CDS_HEADER_COLUMNS = [
  'MRN',
  'Acceptance Date',
  'Importer EORI',
  'Declarant EORI',
  'Agent EORI',
  'Trader Reference',
  'Transport Mode',
  'Customs Value',
  'Invoice Currency',
  'Invoice Total',
  'First DAN',
];
export const CDS_ITEM_COLUMNS = [
  'MRN',
  'Item Number',
  'Commodity Code',
  'CPC',
  'Additional Procedure Codes',
  'Country of Origin',
  'Preferential Country of Origin',
  'Country of Dispatch',
  'Goods Description',
  'Item Price',
  'Invoice Currency',
  'Customs Value',
  'Net Mass',
  'Gross Mass',
  'Supplementary Units',
  'Preference',
  'Valuation Method',
  'Quota Order Number',
  'VAT Value',
  'All Item Document Codes',
  'All Item Document References',
  'Additional Information Code',
  'Consignor',
];
export const CDS_TAXLINE_COLUMNS = ['MRN', 'Item Number', 'Tax Type', 'Tax Base', 'Tax Rate', 'Tax Amount', 'Method of Payment'];

function csv(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
const row = (values: string[]) => values.map(csv).join(',') + '\n';
const gbp = (pence: number) => `${Math.trunc(pence / 100)}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;

/** "2022-03-14" → "14/03/2022 10:00:00" as HMRC's header sample writes dates. */
function reportDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return iso ? `${d}/${m}/${y} 10:00:00` : '';
}

export const cdsHeaderLine = () => row(CDS_HEADER_COLUMNS);
export const cdsItemLine = () => row(CDS_ITEM_COLUMNS);
export const cdsTaxLine = () => row(CDS_TAXLINE_COLUMNS);

/** The three reports' rows of one declaration (without the header rows). */
export function toCdsRows(d: Declaration): { header: string; items: string; taxLines: string } {
  const id = (role: string) => d.parties.find((p) => p.role === role)?.id ?? '';
  const header = row([
    d.mrn,
    reportDate(d.acceptanceDate),
    d.importerEori || id('importer'),
    id('declarant'),
    id('representative'),
    d.lrn,
    d.transportMode,
    d.customsValuePresent ? gbp(d.customsValuePence) : '',
    d.invoiceAmount?.currency ?? '',
    d.invoiceAmount?.value ?? '',
    d.defermentAccounts[0] ?? '',
  ]);
  let items = '';
  let taxLines = '';
  for (const i of d.items) {
    const [apc, ...more] = i.additionalProcedureCodes;
    const docs = [...i.documents, ...d.documents];
    items += row([
      d.mrn,
      String(i.itemNumber),
      i.commodityCode,
      // The 7-character CPC (DE 1/10 + first DE 1/11), as the reports carry it.
      `${i.procedureCode}${apc ?? '000'}`,
      more.join(','),
      i.originCountry,
      i.preferentialOrigin,
      i.dispatchCountry,
      i.description,
      i.itemPrice?.value ?? '',
      i.itemPrice?.currency ?? '',
      i.customsValuePresent ? gbp(i.customsValuePence) : '',
      i.netMassKg,
      i.grossMassKg,
      i.supplementaryUnits,
      i.preference,
      i.valuationMethod,
      i.quotaOrderNumber,
      i.vatValuePresent ? gbp(i.vatValuePence) : '',
      // Parallel comma lists; a blank reference is written NULL to keep positions (HMRC's convention).
      docs
        .map((x) => x.code)
        .join(','),
      docs.map((x) => x.reference || 'NULL').join(','),
      i.additionalInformation.map((a) => a.code).join(','),
      (i.parties.find((p) => p.role === 'consignor') ?? d.parties.find((p) => p.role === 'exporter'))?.name.slice(0, 18) ?? '',
    ]);
    for (const t of i.taxLines) taxLines += row([d.mrn, String(i.itemNumber), t.taxType, t.baseAmount, t.rate, gbp(t.payablePence), t.methodOfPayment]);
  }
  return { header, items, taxLines };
}
