// Mapping rules on small synthetic documents: what is kept, what is flagged, what is refused.
import { parseDmsDeclaration } from './parse-dms';
import type { DmsParseResult } from './types';
import { dmsDate, gbpToPence, isDecimal } from './values';
import { declaration, goodsItem, NS_DEC, NS_META } from './__fixtures__/synthetic';

// The synthetic fragments are placed wherever a test needs them, not in the schema's element order
// (the parser matches by name, in any order), so HMRC's XSD check is off here; xsd.unit.test.ts
// covers it, on HMRC's samples.
const opts = { sourceName: 'synthetic.xml', schemaCheck: false };
function parseOk(xml: string, extra: Partial<{ maxWarnings: number }> = {}): Extract<DmsParseResult, { ok: true }> {
  const r = parseDmsDeclaration(xml, { ...opts, ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('exact values', () => {
  it.each([
    ['1000', 100000],
    ['0.5', 50],
    ['12.34', 1234],
    ['12.340', 1234],
    ['0', 0],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ])('GBP %s is %i pence', (gbp, pence) => {
    expect(gbpToPence(gbp)).toEqual({ ok: true, pence });
  });

  it.each([
    ['12.345', 'has a fraction of a penny'],
    ['1,000.00', 'is not a decimal amount'],
    ['-5', 'is not a decimal amount'],
    ['1e3', 'is not a decimal amount'],
    ['.5', 'is not a decimal amount'],
    ['90071992547409.92', 'is too large to hold exactly in pence'],
  ])('GBP %s is refused (%s)', (gbp, reason) => {
    const r = gbpToPence(gbp);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('recognises decimals without accepting floats in disguise', () => {
    expect(['0', '100', '0.125', '007.50'].every(isDecimal)).toBe(true);
    expect(['', ' 1', '1.', '1e2', 'NaN', '+1', '1 000'].some(isDecimal)).toBe(false);
  });

  it.each([
    ['20230821221100+01', '304', '2023-08-21'],
    ['20191113080000Z', '304', '2019-11-13'],
    ['20240229000000+0100', '304', '2024-02-29'],
    ['20240229', '102', '2024-02-29'],
  ])('DMS date %s (format %s) is %s, as written', (value, format, date) => {
    expect(dmsDate(value, format)).toEqual({ ok: true, date });
  });

  it.each([
    ['20230229000000Z', '304'],
    ['20231301000000Z', '304'],
    ['20230101250000Z', '304'],
    ['Wed Nov 13 00:00:00 UTC 2019', '304'],
    ['2023-08-21', '102'],
  ])('DMS date %s (format %s) is refused', (value, format) => {
    expect(dmsDate(value, format).ok).toBe(false);
  });

  it.each([
    ['20230229000000Z', '304', '"20230229000000Z" is not a real calendar date: February 2023 has 28 days'],
    ['00000000', '102', '"00000000" is not a real calendar date: there is no month 00'],
    ['19891231', '102', '"19891231" is before 1990-01-01, earlier than any UK electronic customs record: a keying error?'],
    ['29990101000000Z', '304', '"29990101000000Z" is more than 366 days in the future (after 2027-12-02): a keying error?'],
  ])('DMS date %s (format %s) is refused with the reason', (value, format, reason) => {
    expect(dmsDate(value, format, { earliest: '1990-01-01', latest: '2027-12-02' })).toEqual({ ok: false, reason });
  });
});

describe('header mapping', () => {
  it('maps parties, representation, authorisations, terms, currency and transport', () => {
    const r = parseOk(
      declaration({
        header:
          '<IssueDateTime><DateTimeString formatCode="304">20240102101500Z</DateTimeString></IssueDateTime>' +
          '<InvoiceAmount currencyID="USD">1234.50</InvoiceAmount><TotalGrossMassMeasure unitCode="KGM">12.5</TotalGrossMassMeasure>' +
          '<AdditionalDocument><CategoryCode>2</CategoryCode><ID>1234567</ID><TypeCode>DAN</TypeCode></AdditionalDocument>' +
          '<Agent><Name>Broker Ltd</Name><ID>GB123456789000</ID><FunctionCode>3</FunctionCode><Address><CountryCode>GB</CountryCode></Address></Agent>' +
          '<AuthorisationHolder><ID>GB553202734852</ID><CategoryCode>IPO</CategoryCode></AuthorisationHolder>' +
          '<BorderTransportMeans><ModeCode>4</ModeCode></BorderTransportMeans>' +
          '<CurrencyExchange><CurrencyTypeCode>USD</CurrencyTypeCode><RateNumeric>0.7812</RateNumeric></CurrencyExchange>' +
          '<Declarant><ID>GB603202734852</ID></Declarant><Exporter><Name>Acme Inc</Name><Address><CountryCode>US</CountryCode></Address></Exporter>',
        shipment:
          '<Buyer><Name>Buyer Ltd</Name><Address><CountryCode>GB</CountryCode></Address></Buyer><Seller><ID>US12345</ID></Seller>' +
          '<Consignor><Name>Shipper</Name></Consignor><Consignee><ID>GB553202734852</ID></Consignee>' +
          '<Consignment><GoodsLocation><Name>LHRLHRLHR</Name><TypeCode>A</TypeCode><Address><TypeCode>U</TypeCode><CountryCode>GB</CountryCode></Address></GoodsLocation></Consignment>' +
          '<CustomsValuation><ChargeDeduction><ChargesTypeCode>AR</ChargesTypeCode><OtherChargeDeductionAmount currencyID="GBP">1000</OtherChargeDeductionAmount></ChargeDeduction></CustomsValuation>' +
          '<Destination><CountryCode>GB</CountryCode></Destination><DomesticDutyTaxParty><ID>GB553202734</ID><RoleCode>FR1</RoleCode></DomesticDutyTaxParty>' +
          '<ExportCountry><ID>US</ID></ExportCountry>' +
          '<PreviousDocument><CategoryCode>Y</CategoryCode><ID>24GB1234567890ABC1</ID><TypeCode>CLE</TypeCode><LineNumeric>1</LineNumeric></PreviousDocument>' +
          '<TradeTerms><ConditionCode>FOB</ConditionCode><LocationName>Shanghai</LocationName></TradeTerms>',
      }),
    );
    const d = r.declaration;
    expect(r.warnings).toEqual([]);
    expect(d).toMatchObject({
      acceptanceDate: '2024-01-02',
      acceptanceDateSource: 'issue_date',
      invoiceAmount: { value: '1234.50', currency: 'USD' },
      totalGrossMassKg: '12.5',
      defermentAccounts: ['1234567'],
      representativeStatus: '3',
      authorisations: [{ type: 'IPO', holderId: 'GB553202734852' }],
      transportMode: '4',
      exchangeRate: '0.7812',
      incoterm: 'FOB',
      deliveryLocation: 'Shanghai',
      adjustments: [{ code: 'AR', amount: { value: '1000', currency: 'GBP' } }],
      destinationCountry: 'GB',
      fiscalReferences: [{ role: 'FR1', vatId: 'GB553202734' }],
      previousDocuments: [{ category: 'Y', type: 'CLE', reference: '24GB1234567890ABC1', line: '1' }],
      goodsLocation: 'GBAULHRLHRLHR',
      importerEori: 'GB553202734852',
    });
    expect(d.parties.map((p) => [p.role, p.id, p.name, p.countryCode])).toEqual([
      ['importer', 'GB553202734852', '', ''],
      ['declarant', 'GB603202734852', '', ''],
      ['representative', 'GB123456789000', 'Broker Ltd', 'GB'],
      ['exporter', '', 'Acme Inc', 'US'],
      ['seller', 'US12345', '', ''],
      ['buyer', '', 'Buyer Ltd', 'GB'],
      ['consignor', '', 'Shipper', ''],
      ['consignee', 'GB553202734852', '', ''],
    ]);
    expect(d.items[0]!.dispatchCountry).toBe('US');
  });

  it('prefers a declared AcceptanceDateTime over the IssueDateTime', () => {
    const d = parseOk(
      declaration({
        header:
          '<AcceptanceDateTime><DateTimeString formatCode="304">20250326112200+01</DateTimeString></AcceptanceDateTime>' +
          '<IssueDateTime><DateTimeString formatCode="304">20250327090000Z</DateTimeString></IssueDateTime>',
      }),
    ).declaration;
    expect([d.acceptanceDate, d.acceptanceDateSource]).toEqual(['2025-03-26', 'declared']);
  });

  it('flags an unreadable acceptance date and falls back to the issue date', () => {
    const r = parseOk(
      declaration({
        header:
          '<AcceptanceDateTime><DateTimeString formatCode="304">yesterday</DateTimeString></AcceptanceDateTime>' +
          '<IssueDateTime><DateTimeString formatCode="102">20250327</DateTimeString></IssueDateTime>',
      }),
    );
    expect([r.declaration.acceptanceDate, r.declaration.acceptanceDateSource]).toEqual(['2025-03-27', 'issue_date']);
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: 'INVALID_VALUE', field: 'acceptanceDate (AcceptanceDateTime)', elementPath: 'MetaData/Declaration/AcceptanceDateTime/DateTimeString', line: 6 }),
    ]);
  });

  it('accepts a bare Declaration root in the DEC namespace', () => {
    const bare = `<Declaration xmlns="${NS_DEC}"><FunctionCode>9</FunctionCode><TypeCode>IMZ</TypeCode><GoodsShipment>${goodsItem(1)}</GoodsShipment></Declaration>`;
    const r = parseOk(bare);
    expect(r.declaration.typeCode).toBe('IMZ');
    expect(r.declaration.items[0]!.commodityCode).toBe('8510900000');
  });

  it('ignores unknown elements and attributes wherever they are', () => {
    const r = parseOk(
      declaration({
        header: '<Frobnicate a="1"><Deep><Deeper>text</Deeper></Deep></Frobnicate>',
        items: goodsItem(1, '<Whatever>1</Whatever><Packaging><SequenceNumeric>1</SequenceNumeric></Packaging>', '<Colour>red</Colour>'),
      }),
    );
    expect(r.warnings).toEqual([]);
    expect(r.declaration.items).toHaveLength(1);
  });

  it('keeps CDATA and character references as text', () => {
    const d = parseOk(declaration({ items: goodsItem(1).replace('Shaver parts', '<![CDATA[Nuts & <bolts>]]> &#x2014; M8') })).declaration;
    expect(d.items[0]!.description).toBe('Nuts & <bolts> — M8');
  });
});

describe('item mapping', () => {
  it('maps the item elements to the canonical goods item', () => {
    const item = goodsItem(
      7,
      '<CustomsValueAmount currencyID="GBP">1500.25</CustomsValueAmount><StatisticalValueAmount currencyID="GBP">1600</StatisticalValueAmount>' +
        '<AdditionalDocument><CategoryCode>U</CategoryCode><ID>INV-1</ID><TypeCode>112</TypeCode><Name>Importers knowledge</Name><LPCOExemptionCode>AE</LPCOExemptionCode></AdditionalDocument>' +
        '<AdditionalInformation><StatementCode>OVR01</StatementCode><StatementDescription>Manual calc</StatementDescription></AdditionalInformation>' +
        '<Seller><Name>Maker</Name><Address><CountryCode>CN</CountryCode></Address></Seller>' +
        '<CustomsValuation><MethodCode>1</MethodCode><ChargeDeduction><ChargesTypeCode>BC</ChargesTypeCode><OtherChargeDeductionAmount currencyID="GBP">100</OtherChargeDeductionAmount></ChargeDeduction></CustomsValuation>' +
        '<DomesticDutyTaxParty><ID>GB553202734</ID><RoleCode>FR1</RoleCode></DomesticDutyTaxParty>' +
        '<ExportCountry><ID>CN</ID></ExportCountry>' +
        '<Origin><CountryCode>CN</CountryCode><TypeCode>2</TypeCode></Origin>' +
        '<PreviousDocument><CategoryCode>Z</CategoryCode><ID>ABC</ID><TypeCode>ZZZ</TypeCode></PreviousDocument>' +
        '<ValuationAdjustment><AdditionCode>1000</AdditionCode></ValuationAdjustment>',
      '<Classification><ID>C490</ID><IdentificationTypeCode>TRA</IdentificationTypeCode></Classification>' +
        '<Classification><ID>VATZ</ID><IdentificationTypeCode>GN</IdentificationTypeCode></Classification>' +
        '<DutyTaxFee><DutyRegimeCode>320</DutyRegimeCode><QuotaOrderID>054321</QuotaOrderID></DutyTaxFee>' +
        '<DutyTaxFee><AdValoremTaxBaseAmount currencyID="GBP">1500.25</AdValoremTaxBaseAmount><TaxRateNumeric>2.5</TaxRateNumeric><TypeCode>A00</TypeCode>' +
        '<Payment><MethodCode>E</MethodCode><TaxAssessedAmount currencyID="GBP">37.50</TaxAssessedAmount></Payment></DutyTaxFee>' +
        '<DutyTaxFee><SpecificTaxBaseQuantity unitCode="LPA">10.2</SpecificTaxBaseQuantity><TypeCode>411</TypeCode><Payment><MethodCode>E</MethodCode></Payment></DutyTaxFee>' +
        '<GoodsMeasure><GrossMassMeasure unitCode="KGM">10.5</GrossMassMeasure><NetNetWeightMeasure>9.125</NetNetWeightMeasure><TariffQuantity unitCode="NAR">12</TariffQuantity></GoodsMeasure>' +
        '<InvoiceLine><ItemChargeAmount currencyID="USD">2000.00</ItemChargeAmount></InvoiceLine>',
    );
    const r = parseOk(declaration({ items: item, header: '<GoodsItemQuantity>1</GoodsItemQuantity>' }));
    expect(r.warnings).toEqual([]);
    const gi = r.declaration.items[0]!;
    expect(gi).toMatchObject({
      itemNumber: 7,
      commodityCode: '8510900000',
      additionalCodes: ['C490', 'VATZ'],
      originCountry: 'US',
      preferentialOrigin: 'CN',
      dispatchCountry: 'CN',
      preference: '320',
      quotaOrderNumber: '054321',
      valuationMethod: '1',
      valuationIndicators: '1000',
      itemPrice: { value: '2000.00', currency: 'USD' },
      customsValuePence: 150025,
      customsValuePresent: true,
      statisticalValuePence: 160000,
      grossMassKg: '10.5',
      netMassKg: '9.125',
      supplementaryUnits: '12',
      documents: [{ code: 'U112', reference: 'INV-1', status: 'AE', reason: 'Importers knowledge' }],
      additionalInformation: [{ code: 'OVR01', text: 'Manual calc' }],
      adjustments: [{ code: 'BC', amount: { value: '100', currency: 'GBP' } }],
      previousDocuments: [{ category: 'Z', type: 'ZZZ', reference: 'ABC', line: '' }],
      parties: [{ role: 'seller', id: '', name: 'Maker', countryCode: 'CN' }],
    });
    expect(gi.taxLines).toEqual([
      { taxType: 'A00', baseAmount: '1500.25', baseUnit: 'GBP', rate: '2.5', payablePence: 3750, methodOfPayment: 'E', traderDeclared: true, suspendedPence: 0 },
      { taxType: '411', baseAmount: '10.2', baseUnit: 'LPA', rate: '', payablePence: 0, methodOfPayment: 'E', traderDeclared: false, suspendedPence: 0 },
    ]);
    // Item-level DE 3/40 joins the declaration's fiscal references.
    expect(r.declaration.fiscalReferences).toEqual([{ role: 'FR1', vatId: 'GB553202734' }]);
  });

  it('warns about bad values with element path and line, keeping codes as declared and dropping non-decimals', () => {
    const item = goodsItem(
      1,
      '<StatisticalValueAmount currencyID="EUR">10</StatisticalValueAmount>',
      '<GoodsMeasure><GrossMassMeasure unitCode="GRM">1500</GrossMassMeasure><NetNetWeightMeasure>1,5</NetNetWeightMeasure></GoodsMeasure><DutyTaxFee><TypeCode>A00</TypeCode><Payment><PaymentAmount currencyID="GBP">10.005</PaymentAmount></Payment></DutyTaxFee>',
    ).replace('<ID>85109000</ID>', '<ID>8510 90A0</ID>');
    const r = parseOk(declaration({ items: item }));
    const gi = r.declaration.items[0]!;
    expect(gi.commodityCode).toBe('8510 90A000');
    expect([gi.netMassKg, gi.grossMassKg, gi.statisticalValuePence]).toEqual(['', '', 0]);
    expect(gi.taxLines[0]).toMatchObject({ taxType: 'A00', payablePence: 0, traderDeclared: false });
    const base = 'MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]';
    expect(r.warnings.map((w) => [w.code, w.field, w.elementPath, w.reason])).toEqual([
      ['INVALID_VALUE', 'commodityCode (DE 6/14)', `${base}/Commodity/Classification[1]/ID`, '"8510 90A0" is not an 8-digit combined nomenclature code'],
      ['INVALID_VALUE', 'taxLines.payablePence (DE 4/6)', `${base}/Commodity/DutyTaxFee[1]/Payment/PaymentAmount`, '"10.005" has a fraction of a penny'],
      ['INVALID_VALUE', 'statisticalValuePence (DE 8/6)', `${base}/StatisticalValueAmount`, 'amount 10 is in EUR; this field holds GBP pence only, so it was not kept'],
      ['INVALID_VALUE', 'netMassKg (DE 6/1)', `${base}/Commodity/GoodsMeasure/NetNetWeightMeasure`, '"1,5" is not a decimal number'],
      ['INVALID_VALUE', 'grossMassKg (DE 6/5)', `${base}/Commodity/GoodsMeasure/GrossMassMeasure`, '"1500" is in unitCode "GRM", not KGM; the value was not kept'],
    ]);
    for (const w of r.warnings) {
      expect(w.sourceName).toBe('synthetic.xml');
      expect(w.line).toBeGreaterThan(1);
      expect(w.column).toBeGreaterThan(0);
    }
  });

  it('flags duplicate item numbers, a wrong item count and conflicting preferences', () => {
    const twoDuties = '<DutyTaxFee><DutyRegimeCode>100</DutyRegimeCode></DutyTaxFee><DutyTaxFee><DutyRegimeCode>300</DutyRegimeCode></DutyTaxFee>';
    const r = parseOk(declaration({ header: '<GoodsItemQuantity>3</GoodsItemQuantity>', items: goodsItem(1, '', twoDuties) + goodsItem(1) }));
    expect(r.declaration.items[0]!.preference).toBe('100');
    expect(r.warnings.map((w) => w.elementPath.replace('MetaData/Declaration/GoodsShipment/', ''))).toEqual([
      'GovernmentAgencyGoodsItem[1]/Commodity/DutyTaxFee[2]/DutyRegimeCode',
      'GovernmentAgencyGoodsItem[2]/SequenceNumeric',
      'MetaData/Declaration/GoodsItemQuantity',
    ]);
    expect(r.warnings.map((w) => w.reason)).toEqual([
      'item 1 declares preference 100 and 300; the first is kept',
      'goods item number 1 is used more than once',
      'GoodsItemQuantity says 3 but 2 goods item(s) are declared',
    ]);
  });

  it('parses 1,000 items in linear time and flags the count CDS would refuse', () => {
    const items = Array.from({ length: 1000 }, (_, i) => goodsItem(i + 1)).join('\n');
    const started = process.hrtime.bigint();
    const r = parseOk(declaration({ items }));
    // Generous bound for a shared CI core; measured ~60 ms.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3000);
    expect(r.declaration.items).toHaveLength(1000);
    expect(r.declaration.items[999]!.itemNumber).toBe(1000);
    // The count CDS would refuse, and the one item number outside DE 1/6's 1–999 (kept as declared).
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: 'INVALID_VALUE', field: 'itemNumber (DE 1/6)', reason: 'DE 1/6 goods item number 1000 is outside 1–999 (DE 1/6 is n..3, numbered from 1)' }),
      expect.objectContaining({ code: 'INVALID_VALUE', field: 'items (DE 1/6)', elementPath: 'MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1000]' }),
    ]);
  });

  it('summarises warnings beyond maxWarnings in one TOO_MANY_WARNINGS issue', () => {
    const items = Array.from({ length: 5 }, (_, i) => goodsItem(i + 1).replace('<ID>85109000</ID>', '<ID>X</ID>')).join('');
    const r = parseOk(declaration({ items }), { maxWarnings: 2 });
    expect(r.warnings.map((w) => w.code)).toEqual(['INVALID_VALUE', 'INVALID_VALUE', 'TOO_MANY_WARNINGS']);
    expect(r.warnings[2]!.reason).toBe('3 further warnings were not listed');
  });

  it('takes DE 5/8 from the items when every item declares the same destination and the header none', () => {
    const dest = (cc: string) => `<Destination><CountryCode>${cc}</CountryCode></Destination>`;
    expect(parseOk(declaration({ items: goodsItem(1, dest('GB')) + goodsItem(2, dest('GB')) })).declaration.destinationCountry).toBe('GB');
    expect(parseOk(declaration({ items: goodsItem(1, dest('GB')) + goodsItem(2) })).declaration.destinationCountry).toBe('');
    expect(parseOk(declaration({ items: goodsItem(1, dest('GB')) + goodsItem(2, dest('IE')) })).declaration.destinationCountry).toBe('');
  });

  it('keeps the location identification alone when DE 5/23 is incomplete, and says so', () => {
    const r = parseOk(declaration({ shipment: '<Consignment><GoodsLocation><Name>FXTFXTFXT</Name></GoodsLocation></Consignment>' }));
    expect(r.declaration.goodsLocation).toBe('FXTFXTFXT');
    expect(r.warnings[0]).toMatchObject({ code: 'MISSING_ELEMENT', field: 'goodsLocation (DE 5/23)' });
  });
});

describe('what makes a declaration unusable', () => {
  const firstError = (xml: string) => {
    const r = parseDmsDeclaration(xml, opts);
    if (r.ok) throw new Error('expected a rejection');
    return r.errors[0]!;
  };

  it('an original declaration without goods items', () => {
    expect(firstError(declaration({ items: '' }))).toMatchObject({
      code: 'MISSING_ELEMENT',
      field: 'items (GoodsShipment/GovernmentAgencyGoodsItem)',
      elementPath: 'MetaData/Declaration/GoodsShipment',
      line: 7,
    });
  });

  it('a missing FunctionCode', () => {
    expect(firstError(declaration({ functionCode: '' }))).toMatchObject({ code: 'MISSING_ELEMENT', field: 'functionCode (FunctionCode)' });
  });

  it('an unknown FunctionCode', () => {
    expect(firstError(declaration({ functionCode: '<FunctionCode>7</FunctionCode>' }))).toMatchObject({ code: 'INVALID_VALUE', reason: expect.stringContaining('FunctionCode "7"') });
  });

  it('an additional message without a TypeCode', () => {
    const xml = `<md:MetaData xmlns:md="${NS_META}"><Declaration xmlns="${NS_DEC}"><FunctionCode>13</FunctionCode><ID>24GBA4ZYBWXU1BSA00</ID></Declaration></md:MetaData>`;
    expect(firstError(xml)).toMatchObject({ code: 'MISSING_ELEMENT', field: 'TypeCode' });
  });

  it('but an invalidation request needs no items, and a missing MRN on it is only a warning', () => {
    const xml = `<md:MetaData xmlns:md="${NS_META}"><Declaration xmlns="${NS_DEC}"><FunctionCode>13</FunctionCode><TypeCode>INV</TypeCode></Declaration></md:MetaData>`;
    const r = parseOk(xml);
    expect(r.kind).toBe('invalidation');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'MISSING_ELEMENT', field: 'mrn (Declaration/ID)' })]);
  });
});
