// Field-level checks on individual HMRC samples. Each expected value was read off the sample XML
// (the "DE x/y" comment above each element says which data element it is).
import { readFileSync } from 'node:fs';
import { SourceFormat, type Declaration, type GoodsItem } from '@customs/contracts';
import { parseDmsDeclaration, type DmsParseResult } from '.';
import { readSample, STUB_EXAMPLE, STUB_NOTIFICATION } from './__fixtures__/corpus';

function parseOk(file: string): Extract<DmsParseResult, { ok: true }> {
  const r = parseDmsDeclaration(readSample(file), { sourceName: file });
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.errors)}`);
  return r;
}
const decl = (file: string): Declaration => parseOk(file).declaration;
const item1 = (file: string): GoodsItem => decl(file).items[0]!;

describe('TT_IM001a — standard frontier IMA, single item, MFN, deferment', () => {
  const r = parseOk('TT_IM001a/Step1_TT_IM001a.xml');
  const d = r.declaration;
  const item = d.items[0]!;

  it('maps the header', () => {
    expect(r.kind).toBe('declaration');
    expect(r.warnings).toEqual([]);
    expect(d).toMatchObject({
      functionCode: '9',
      lrn: '7847767E1WB6',
      mrn: '',
      typeCode: 'IMA',
      // No AcceptanceDateTime or IssueDateTime in the file: left for ingestion to decide.
      acceptanceDate: '',
      acceptanceDateSource: '',
      importerEori: 'GB553202734852',
      representativeStatus: '2',
      defermentAccounts: ['1108654'],
      incoterm: 'CIF',
      deliveryLocation: 'GBWLA',
      transportMode: '1',
      totalPackages: '50',
      destinationCountry: 'GB',
      goodsLocation: 'GBAUWLALONBTW',
      sourceFormat: SourceFormat.SOURCE_FORMAT_DMS_XML,
      sourceName: 'TT_IM001a/Step1_TT_IM001a.xml',
      tenantId: '',
      declarationId: '',
      version: 0,
      batchId: '',
      receivedAt: '',
    });
    expect(d.contentSha256).toBe('93608ad7d469e91c8528adc5b31a0fa38c5757407ca94600d6c97ca7eb6866eb');
    expect(d.parties).toEqual([
      { role: 'importer', id: 'GB553202734852', name: '', countryCode: '' },
      { role: 'declarant', id: 'GB603202734852', name: '', countryCode: '' },
      { role: 'exporter', id: '', name: 'US Clipper Inc.', countryCode: 'US' },
    ]);
    expect(d.authorisations).toEqual([
      { type: 'CGU', holderId: 'GB553202734852' },
      { type: 'DPO', holderId: 'GB553202734852' },
    ]);
    expect(d.previousDocuments).toEqual([
      { category: 'Z', type: 'DCR', reference: '4GB553202734852-12345', line: '' },
      { category: 'Z', type: '355', reference: '24GB34F7Y1O2CX8PT4', line: '1' },
    ]);
    expect(d.invoiceAmount).toBeUndefined();
  });

  it('maps the goods item', () => {
    expect(item).toMatchObject({
      itemNumber: 1,
      commodityCode: '8510900000',
      additionalCodes: [],
      description: 'Parts for electric shavers, hair clippers and hair-removing appliances',
      procedureCode: '4000',
      additionalProcedureCodes: ['000'],
      originCountry: 'US',
      preferentialOrigin: '',
      dispatchCountry: 'US',
      preference: '100',
      valuationMethod: '1',
      valuationIndicators: '0000',
      itemPrice: { value: '1000', currency: 'GBP' },
      netMassKg: '100',
      grossMassKg: '150',
      supplementaryUnits: '',
      quotaOrderNumber: '',
      statisticalValuePence: 0,
      customsValuePresent: false,
    });
    expect(item.documents).toEqual([
      { code: 'C506', reference: 'GBDPO1108654', status: '', reason: '' },
      { code: 'N935', reference: '12345/19.01.2024', status: 'AC', reason: '' },
      { code: 'C505', reference: 'GBCGU55320273485220191113093459', status: '', reason: '' },
    ]);
    // Tax type and method of payment only: CDS calculates the amounts, so none is trader-declared.
    expect(item.taxLines).toEqual([
      { taxType: 'A00', baseAmount: '', baseUnit: '', rate: '', payablePence: 0, methodOfPayment: 'E', traderDeclared: false, suspendedPence: 0 },
      { taxType: 'B00', baseAmount: '', baseUnit: '', rate: '', payablePence: 0, methodOfPayment: 'E', traderDeclared: false, suspendedPence: 0 },
    ]);
  });
});

describe('other samples', () => {
  it('TT_IM017a: three items, each with its own code and price', () => {
    const d = decl('TT_IM017a/Step1_TT_IM017a.xml');
    expect(d.items.map((i) => [i.itemNumber, i.commodityCode, i.itemPrice?.value])).toEqual([
      [1, '8510900000', '1000'],
      [2, '8510100000', '100'],
      [3, '8510200000', '100'],
    ]);
    expect(d.invoiceAmount).toEqual({ value: '1200', currency: 'GBP' });
  });

  it('TT_IM031a: sparkling wine from Tunisia, preference 300, national additional code X333 and an ASV excise base', () => {
    const d = decl('TT_IM031a/TT_IM031a.xml');
    const item = d.items[0]!;
    expect(d.typeCode).toBe('IMY');
    // Supplementary declarations carry the acceptance date (20230821221100+01): taken as declared.
    expect([d.acceptanceDate, d.acceptanceDateSource]).toEqual(['2023-08-21', 'declared']);
    expect(item).toMatchObject({ commodityCode: '2204109400', preference: '300', preferentialOrigin: 'TN', originCountry: '', supplementaryUnits: '85' });
    // "333" appears in this sample only as the DE 6/17 national additional code X333 (wine 8.5-22% abv);
    // the excise input is a DE 4/4 base of 16 ASV without a tax type of its own.
    expect(item.additionalCodes).toEqual(['X333']);
    expect(item.taxLines.map((t) => [t.taxType, t.baseAmount, t.baseUnit])).toEqual([
      ['A00', '', ''],
      ['B00', '', ''],
      ['', '16', 'ASV'],
    ]);
  });

  it('TT_IM054a: preference 300 with a U162 invoice declaration of origin', () => {
    const item = item1('TT_IM054a/Step1_TT_IM054a.xml');
    expect(item).toMatchObject({ preference: '300', originCountry: 'FR', preferentialOrigin: 'FR', commodityCode: '4008110000' });
    expect(item.documents).toContainEqual({ code: 'U162', reference: '0062041', status: 'XB', reason: '' });
  });

  it('TT_IM065a: preferential quota 320 with quota order number 051867', () => {
    const item = item1('TT_IM065a/Step1_TT_IM065a.xml');
    expect(item).toMatchObject({ preference: '320', quotaOrderNumber: '051867', originCountry: 'MX', preferentialOrigin: 'MX' });
  });

  it('TT_IM204a: item price in Canadian dollars stays an exact CAD amount', () => {
    const d = decl('TT_IM204a/Step1_TT_IM204a.xml');
    expect(d.items[0]!.itemPrice).toEqual({ value: '150', currency: 'CAD' });
    expect(d.items[0]!.additionalProcedureCodes).toEqual(['F48', 'C07']);
    expect(d.fiscalReferences).toEqual([{ role: 'FR5', vatId: 'IM5532027340' }]);
    expect(d.representativeStatus).toBe('3');
  });

  it('TT_IM205a: item price in euros', () => {
    expect(item1('TT_IM205a/Step1_TT_IM205a.xml').itemPrice?.currency).toBe('EUR');
  });

  it('TT_IM200a: postponed VAT accounting with fiscal reference FR1', () => {
    const d = decl('TT_IM200a/Step1_TT_IM200a.xml');
    expect(d.fiscalReferences).toEqual([{ role: 'FR1', vatId: 'GB553202734' }]);
  });

  it('TT_IM094a: returned goods relief CPC 6122 with its previous documents and a GBP statistical value', () => {
    const d = decl('TT_IM094a/TT_IM094a.xml');
    const item = d.items[0]!;
    expect(item.procedureCode).toBe('6122');
    expect(item.additionalProcedureCodes).toEqual(['1VW']);
    expect(d.previousDocuments).toEqual([
      { category: 'Z', type: '355', reference: '22GB34F7Y1O2CX8PT4', line: '1' },
      { category: 'Z', type: 'MRN', reference: '22GBCDS123456789B1', line: '1' },
    ]);
    // DE 8/6 StatisticalValueAmount currencyID="GBP" 10000 → pence.
    expect(item.statisticalValuePence).toBe(1_000_000);
    expect(d.goodsLocation).toBe('GBBYCW8887776GB');
  });

  it('TT_IM050a: trader-calculated duty and VAT (OVR01) become trader-declared tax lines in pence', () => {
    const item = item1('TT_IM050a/TT_IM050a.xml');
    expect(item.additionalInformation[0]).toEqual({ code: 'OVR01', text: 'Duty override claimed - to test CDSP-8181' });
    expect(item.taxLines).toEqual([
      { taxType: 'A00', baseAmount: '20000', baseUnit: 'GBP', rate: '', payablePence: 40_000, methodOfPayment: 'E', traderDeclared: true, suspendedPence: 0 },
      { taxType: 'B00', baseAmount: '20000', baseUnit: 'GBP', rate: '', payablePence: 408_000, methodOfPayment: 'E', traderDeclared: true, suspendedPence: 0 },
    ]);
    expect(item.preference).toBe('140');
    expect(item.additionalCodes).toEqual(['4601']);
  });

  it('TT_IM124a: a customs value in USD is not forced into the GBP pence field', () => {
    const r = parseOk('TT_IM124a/Step1_TT_IM124a.xml');
    expect(r.declaration.items[0]).toMatchObject({ customsValuePresent: false, customsValuePence: 0 });
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: 'INVALID_VALUE',
        field: 'customsValuePence (DE 4/18)',
        elementPath: 'MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/CustomsValueAmount',
        line: 99,
      }),
    );
  });

  it('TT_IM095a: origin ZN (Norwegian continental shelf) is kept as declared', () => {
    expect(item1('TT_IM095a/Step1_TT_IM095a.xml').originCountry).toBe('ZN');
  });

  it('TT_IM012a: a simplified IMD with only the CN8 keeps 8 digits and says so', () => {
    const r = parseOk('TT_IM012a/TT_IM012a.xml');
    expect(r.declaration.items[0]!.commodityCode).toBe('42021219');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'MISSING_ELEMENT', field: 'commodityCode (DE 6/15)' })]);
  });

  it("the stub's accepted IMZ example: acceptance date, exchange rate and CPC 4071", () => {
    const r = parseDmsDeclaration(readFileSync(STUB_EXAMPLE), { sourceName: 'example_accepted_import.xml' });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const d = r.declaration;
    expect(d).toMatchObject({ typeCode: 'IMZ', acceptanceDate: '2017-10-01', acceptanceDateSource: 'declared', exchangeRate: '12345.678' });
    expect(d.items[0]).toMatchObject({
      commodityCode: '4202121900',
      originCountry: 'US',
      procedureCode: '4071',
      additionalProcedureCodes: ['000'],
      valuationMethod: '1',
      preference: '100',
      itemPrice: { value: '1000', currency: 'GBP' },
      statisticalValuePence: 100_000,
    });
    // Its header AdditionalDocument has only an ID: kept, with the missing code flagged.
    expect(d.documents).toEqual([{ code: '', reference: 'GBDPO7777777', status: '', reason: '' }]);
    expect(r.warnings.map((w) => [w.code, w.elementPath, w.line])).toEqual([['INVALID_VALUE', 'MetaData/Declaration/AdditionalDocument[1]', 67]]);
  });

  it("the stub's notification (md:MetaData in the right namespace, resp:Response) is not a declaration", () => {
    const r = parseDmsDeclaration(readFileSync(STUB_NOTIFICATION), { sourceName: 'notification.xml' });
    expect(r).toEqual({
      ok: false,
      errors: [expect.objectContaining({ code: 'NOT_A_DECLARATION', sourceName: 'notification.xml', elementPath: 'MetaData/Response', line: 8 })],
    });
    if (!r.ok) expect(r.errors[0]!.reason).toContain('this is a DMS notification (DMSACC, Response FunctionCode 01), not a declaration');
  });
});

describe('amendments and invalidations', () => {
  it('TT_IM002b: a COR amendment is a delta naming the MRN, with its change pointers', () => {
    const r = parseOk('TT_IM002b/TT_IM002b_Amendment.xml');
    expect(r.kind).toBe('amendment');
    expect(r.declaration).toMatchObject({ functionCode: '13', typeCode: 'COR', mrn: '20GB32VVZI0YMFGVR0', lrn: 'TT_IM02b_1803_002' });
    expect(r.declaration.additionalInformation).toEqual([{ code: '', text: 'Amending item price as a mistake was made on the declaration.' }]);
    // Only the amended element is present: item 1's price, now 999 GBP. Nothing else is filled in.
    expect(r.declaration.items).toHaveLength(1);
    expect(r.declaration.items[0]).toMatchObject({ itemNumber: 1, itemPrice: { value: '999', currency: 'GBP' }, commodityCode: '', procedureCode: '' });
    expect(r.amendments).toEqual([
      {
        changeReasonCode: '21',
        line: 52,
        pointers: [
          { sequence: '1', section: '42A', tagId: '' },
          { sequence: '1', section: '67A', tagId: '' },
          { sequence: '1', section: '68A', tagId: '' },
          { sequence: '1', section: '23A', tagId: '' },
          { sequence: '1', section: '79A', tagId: '112' },
        ],
      },
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('TT_IM016a amendment: DE 4/6 payable (PaymentAmount) wins over DE 4/7 total (TaxAssessedAmount)', () => {
    const lines = item1('TT_IM016a/TT_IM016a_Amendment.xml').taxLines;
    expect(lines[0]).toEqual({ taxType: 'A00', baseAmount: '111.11', baseUnit: 'GBP', rate: '', payablePence: 11_133, methodOfPayment: 'E', traderDeclared: true, suspendedPence: 0 });
  });

  it('TT_IM017a amendment: deleting an item is a message without goods items', () => {
    const r = parseOk('TT_IM017a/TT_IM017a_Amendment.xml');
    expect(r.kind).toBe('amendment');
    expect(r.declaration.items).toEqual([]);
    expect(r.declaration.invoiceAmount).toEqual({ value: '1100', currency: 'GBP' });
    expect(r.amendments.map((a) => a.changeReasonCode)).toEqual(['30', '28', '21', '28']);
  });

  it('TT_IM011a: an INV cancellation request has no items and names the MRN to invalidate', () => {
    const r = parseOk('TT_IM011a/TT_IM011a_Cancellation.xml');
    expect(r.kind).toBe('invalidation');
    expect(r.declaration).toMatchObject({ functionCode: '13', typeCode: 'INV', mrn: '24GBA4ZYBWXU1BSA00', items: [] });
    expect(r.declaration.additionalInformation).toEqual([{ code: '', text: 'This is a duplicate declaration, please cancel' }]);
    expect(r.amendments).toEqual([{ changeReasonCode: '1', pointers: [], line: 45 }]);
  });

  it('TT_IM026a: a goods presentation message (FunctionCode 13, TypeCode GPR) is not a declaration', () => {
    const r = parseDmsDeclaration(readSample('TT_IM026a/Movement_Messages/Step1_GPN.xml'), { sourceName: 'gpn.xml' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'NOT_A_DECLARATION', elementPath: 'MetaData/Declaration/TypeCode', field: 'TypeCode' });
  });
});
