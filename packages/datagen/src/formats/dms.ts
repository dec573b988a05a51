// Canonical Declaration → WCO Data Model 3.6 / DMS import declaration XML, modelled on HMRC's
// annotated samples (packages/testing/fixtures/hmrc/.../annotated_XML_samples) and written so that
// the ingestion parser (services/ingestion/src/parse/dms) reads every field back — except a
// header-level document's name and status, for which the schema has no place — and the document
// validates against HMRC's WCO_DEC_2_DMS.xsd (which ingestion checks).
import type { Adjustment, Declaration, Document, GoodsItem, Party, PreviousDocument } from '@customs/contracts';

const NS_META = 'urn:wco:datamodel:WCO:DocumentMetaData-DMS:2';
const NS_DEC = 'urn:wco:datamodel:WCO:DEC-DMS:2';
const NS_DS = 'urn:wco:datamodel:WCO:Declaration_DS:DMS:2';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
const el = (name: string, value: string | undefined, attrs = ''): string => (value ? `<${name}${attrs}>${esc(value)}</${name}>` : '');
const gbp = (pence: number) => `${Math.trunc(pence / 100)}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;

function party(tag: string, p: Party | undefined, extra = ''): string {
  if (!p) return '';
  const addr = p.countryCode ? `<Address>${el('CountryCode', p.countryCode)}</Address>` : '';
  return `<${tag}>${el('Name', p.name)}${el('ID', p.id)}${extra}${addr}</${tag}>`;
}

function document(d: Document): string {
  return `<AdditionalDocument>${el('CategoryCode', d.code.slice(0, 1))}${el('ID', d.reference)}${el('Name', d.reason)}${el('TypeCode', d.code.slice(1))}${el('LPCOExemptionCode', d.status)}</AdditionalDocument>`;
}

/** A header-level DE 2/3 document: HMRC's schema allows only CategoryCode, ID and TypeCode there (no name or status). */
function headerDocument(d: Document): string {
  return `<AdditionalDocument>${el('CategoryCode', d.code.slice(0, 1))}${el('ID', d.reference)}${el('TypeCode', d.code.slice(1))}</AdditionalDocument>`;
}

function previous(p: PreviousDocument): string {
  return `<PreviousDocument>${el('CategoryCode', p.category)}${el('ID', p.reference)}${el('TypeCode', p.type)}${el('LineNumeric', p.line)}</PreviousDocument>`;
}

function charges(adjs: Adjustment[]): string {
  return adjs
    .map((a) => `<ChargeDeduction>${el('ChargesTypeCode', a.code)}${a.amount ? el('OtherChargeDeductionAmount', a.amount.value, ` currencyID="${esc(a.amount.currency)}"`) : ''}</ChargeDeduction>`)
    .join('');
}

function item(i: GoodsItem): string {
  const cn = i.commodityCode.slice(0, 8);
  const taric = i.commodityCode.slice(8);
  const classes = [
    cn && `<Classification><ID>${esc(cn)}</ID><IdentificationTypeCode>TSP</IdentificationTypeCode></Classification>`,
    taric && `<Classification><ID>${esc(taric)}</ID><IdentificationTypeCode>TRC</IdentificationTypeCode></Classification>`,
    ...i.additionalCodes.map((c) => `<Classification><ID>${esc(c)}</ID><IdentificationTypeCode>${/^[A-Z]/.test(c) ? 'GN' : 'TRA'}</IdentificationTypeCode></Classification>`),
  ].join('');
  // DE 4/17 and DE 8/1 go in a DutyTaxFee of their own, as in HMRC's samples; each tax line in another.
  const regime = i.preference || i.quotaOrderNumber ? `<DutyTaxFee>${el('DutyRegimeCode', i.preference)}${el('QuotaOrderID', i.quotaOrderNumber)}</DutyTaxFee>` : '';
  const taxes = i.taxLines
    .map((t) => {
      const base = t.baseAmount
        ? t.baseUnit && t.baseUnit !== 'GBP'
          ? el('SpecificTaxBaseQuantity', t.baseAmount, ` unitCode="${esc(t.baseUnit)}"`)
          : el('AdValoremTaxBaseAmount', t.baseAmount, ' currencyID="GBP"')
        : '';
      return `<DutyTaxFee>${base}${el('TaxRateNumeric', t.rate)}${el('TypeCode', t.taxType)}<Payment>${el('MethodCode', t.methodOfPayment)}<PaymentAmount currencyID="GBP">${gbp(t.payablePence)}</PaymentAmount></Payment></DutyTaxFee>`;
    })
    .join('');
  const measure =
    i.grossMassKg || i.netMassKg || i.supplementaryUnits
      ? `<GoodsMeasure>${el('GrossMassMeasure', i.grossMassKg, ' unitCode="KGM"')}${el('NetNetWeightMeasure', i.netMassKg, ' unitCode="KGM"')}${el('TariffQuantity', i.supplementaryUnits)}</GoodsMeasure>`
      : '';
  const price = i.itemPrice ? `<InvoiceLine>${el('ItemChargeAmount', i.itemPrice.value, ` currencyID="${esc(i.itemPrice.currency)}"`)}</InvoiceLine>` : '';
  const proc = i.procedureCode
    ? `<GovernmentProcedure><CurrentCode>${esc(i.procedureCode.slice(0, 2))}</CurrentCode><PreviousCode>${esc(i.procedureCode.slice(2))}</PreviousCode></GovernmentProcedure>`
    : '';
  const apcs = i.additionalProcedureCodes.map((a) => `<GovernmentProcedure><CurrentCode>${esc(a)}</CurrentCode></GovernmentProcedure>`).join('');
  const origins =
    (i.originCountry ? `<Origin><CountryCode>${esc(i.originCountry)}</CountryCode><TypeCode>1</TypeCode></Origin>` : '') +
    (i.preferentialOrigin ? `<Origin><CountryCode>${esc(i.preferentialOrigin)}</CountryCode><TypeCode>2</TypeCode></Origin>` : '');
  const find = (role: string) => i.parties.find((p) => p.role === role);
  return (
    // Element order as in HMRC's WCO_DEC_2_DMS.xsd (CustomsValueAmount comes before SequenceNumeric),
    // so that the document passes the schema check ingestion applies.
    `<GovernmentAgencyGoodsItem>` +
    (i.customsValuePresent ? `<CustomsValueAmount currencyID="GBP">${gbp(i.customsValuePence)}</CustomsValueAmount>` : '') +
    `<SequenceNumeric>${i.itemNumber}</SequenceNumeric>` +
    (i.statisticalValuePence ? `<StatisticalValueAmount currencyID="GBP">${gbp(i.statisticalValuePence)}</StatisticalValueAmount>` : '') +
    i.documents.map(document).join('') +
    i.additionalInformation.map((a) => `<AdditionalInformation>${el('StatementCode', a.code)}${el('StatementDescription', a.text)}</AdditionalInformation>`).join('') +
    party('Buyer', find('buyer')) +
    `<Commodity>${el('Description', i.description)}${classes}${regime}${taxes}${measure}${price}</Commodity>` +
    party('Consignee', find('consignee')) +
    party('Consignor', find('consignor')) +
    (i.valuationMethod || i.adjustments.length ? `<CustomsValuation>${el('MethodCode', i.valuationMethod)}${charges(i.adjustments)}</CustomsValuation>` : '') +
    (i.dispatchCountry ? `<ExportCountry><ID>${esc(i.dispatchCountry)}</ID></ExportCountry>` : '') +
    proc +
    apcs +
    origins +
    i.previousDocuments.map(previous).join('') +
    party('Seller', find('seller')) +
    (i.valuationIndicators ? `<ValuationAdjustment><AdditionCode>${esc(i.valuationIndicators)}</AdditionCode></ValuationAdjustment>` : '') +
    `</GovernmentAgencyGoodsItem>`
  );
}

/** DE 5/23 "GBAUFXTFXTFXT" → country, location type, qualifier, identification. */
function goodsLocation(code: string): string {
  const m = /^([A-Z]{2})([A-Z])([A-Z])(.+)$/.exec(code);
  if (!m) return '';
  return `<Consignment><GoodsLocation><Name>${esc(m[4]!)}</Name><TypeCode>${m[2]}</TypeCode><Address><TypeCode>${m[3]}</TypeCode><CountryCode>${m[1]}</CountryCode></Address></GoodsLocation></Consignment>`;
}

/** One declaration as a DMS XML document (UTF-8 text). */
export function toDmsXml(d: Declaration): string {
  const find = (role: string) => d.parties.find((p) => p.role === role);
  const rep = find('representative');
  const date = d.acceptanceDate.replace(/-/g, '');
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n` +
    `<md:MetaData xmlns:md="${NS_META}" xmlns="${NS_DEC}" xmlns:p1="${NS_DS}">\n` +
    `<md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode><md:WCOTypeName>DEC</md:WCOTypeName><md:ResponsibleCountryCode>GB</md:ResponsibleCountryCode><md:ResponsibleAgencyName>HMRC</md:ResponsibleAgencyName><md:AgencyAssignedCustomizationVersionCode>v2.1</md:AgencyAssignedCustomizationVersionCode>\n` +
    `<Declaration>\n` +
    (date ? `<AcceptanceDateTime><p1:DateTimeString formatCode="304">${date}100000Z</p1:DateTimeString></AcceptanceDateTime>` : '') +
    `<FunctionCode>${esc(d.functionCode || '9')}</FunctionCode>${el('FunctionalReferenceID', d.lrn)}${el('ID', d.mrn)}${el('TypeCode', d.typeCode)}` +
    `<GoodsItemQuantity>${d.items.length}</GoodsItemQuantity>` +
    (d.invoiceAmount ? el('InvoiceAmount', d.invoiceAmount.value, ` currencyID="${esc(d.invoiceAmount.currency)}"`) : '') +
    el('TotalGrossMassMeasure', d.totalGrossMassKg, ' unitCode="KGM"') +
    el('TotalPackageQuantity', d.totalPackages) +
    '\n' +
    d.documents.map(headerDocument).join('') +
    d.defermentAccounts.map((dan) => `<AdditionalDocument><CategoryCode>1</CategoryCode><ID>${esc(dan)}</ID><TypeCode>DAN</TypeCode></AdditionalDocument>`).join('') +
    d.additionalInformation.map((a) => `<AdditionalInformation>${el('StatementCode', a.code)}${el('StatementDescription', a.text)}</AdditionalInformation>`).join('') +
    (rep ? party('Agent', rep, el('FunctionCode', d.representativeStatus)) : '') +
    d.authorisations.map((a) => `<AuthorisationHolder>${el('ID', a.holderId)}${el('CategoryCode', a.type)}</AuthorisationHolder>`).join('') +
    (d.transportMode ? `<BorderTransportMeans><ModeCode>${esc(d.transportMode)}</ModeCode></BorderTransportMeans>` : '') +
    (d.exchangeRate ? `<CurrencyExchange><RateNumeric>${esc(d.exchangeRate)}</RateNumeric></CurrencyExchange>` : '') +
    party('Declarant', find('declarant')) +
    party('Exporter', find('exporter')) +
    '\n<GoodsShipment>' +
    party('Buyer', find('buyer')) +
    party('Consignee', find('consignee')) +
    party('Consignor', find('consignor')) +
    goodsLocation(d.goodsLocation) +
    (d.adjustments.length ? `<CustomsValuation>${charges(d.adjustments)}</CustomsValuation>` : '') +
    (d.destinationCountry ? `<Destination><CountryCode>${esc(d.destinationCountry)}</CountryCode></Destination>` : '') +
    d.fiscalReferences.map((f) => `<DomesticDutyTaxParty>${el('ID', f.vatId)}${el('RoleCode', f.role)}</DomesticDutyTaxParty>`).join('') +
    '\n' +
    d.items.map(item).join('\n') +
    '\n' +
    party('Importer', find('importer')) +
    d.previousDocuments.map(previous).join('') +
    party('Seller', find('seller')) +
    (d.incoterm ? `<TradeTerms>${el('ConditionCode', d.incoterm)}${el('LocationID', d.deliveryLocation)}</TradeTerms>` : '') +
    `</GoodsShipment>\n</Declaration>\n</md:MetaData>\n`
  );
}
