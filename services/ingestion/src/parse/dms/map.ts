// Maps the kept DMS Declaration tree onto the canonical Declaration. Each mapping names its data
// element (DE x/y) as HMRC's annotated samples label it. Doubtful values become warnings and the
// field keeps the value as declared (codes) or stays empty (numbers the contract promises to be
// exact decimals); nothing is defaulted or guessed. Only what makes the message unusable is an error.
import {
  GoodsItem,
  type AdditionalInformation,
  type Adjustment,
  type Authorisation,
  type DecimalAmount,
  type Declaration,
  type Document,
  type FiscalReference,
  type Party,
  type PreviousDocument,
  type TaxLine,
} from '@customs/contracts';
import { pathOfNode, type XNode } from './reader';
import type { DmsAmendment, DmsMessageKind, ParseIssue, ParseIssueCode } from './types';
import { dmsDate, gbpToPence, isDecimal } from './values';
import { currencyProblem, itemNumberProblem } from '../values';

/** The parts of Declaration the mapping fills (provenance is added by the caller). */
export type MappedDeclaration = Omit<Declaration, 'sourceFormat' | 'sourceName' | 'contentSha256'>;

export type MapResult = { ok: true; declaration: MappedDeclaration; warnings: ParseIssue[]; kind: DmsMessageKind; amendments: DmsAmendment[] } | { ok: false; error: ParseIssue };

const kid = (n: XNode | undefined, name: string): XNode | undefined => {
  if (n === undefined) return undefined;
  for (const c of n.children) if (c.name === name) return c;
  return undefined;
};
const kids = (n: XNode | undefined, name: string): XNode[] => (n === undefined ? [] : n.children.filter((c) => c.name === name));
const text = (n: XNode | undefined, ...path: string[]): string => {
  let cur = n;
  for (const p of path) cur = kid(cur, p);
  return cur?.text ?? '';
};

const COUNTRY = /^[A-Z]{2}$/;
const MRN = /^\d{2}[A-Z]{2}[A-Z0-9]{13}\d$/;

class Mapper {
  readonly warnings: ParseIssue[] = [];
  private suppressed = 0;

  constructor(
    private readonly sourceName: string,
    private readonly basePath: string,
    private readonly root: XNode,
    private readonly maxWarnings: number,
  ) {}

  issue(code: ParseIssueCode, at: XNode | undefined, field: string, reason: string): ParseIssue {
    const node = at ?? this.root;
    return { sourceName: this.sourceName, line: node.line, column: node.column, elementPath: pathOfNode(this.basePath, node), field, reason, code };
  }

  warn(code: ParseIssueCode, at: XNode | undefined, field: string, reason: string): void {
    if (this.warnings.length >= this.maxWarnings) {
      this.suppressed++;
      return;
    }
    this.warnings.push(this.issue(code, at, field, reason));
  }

  finishWarnings(): ParseIssue[] {
    if (this.suppressed > 0) {
      this.warnings.push({ ...this.issue('TOO_MANY_WARNINGS', this.root, '(warnings)', `${this.suppressed} further warnings were not listed`), line: 0, column: 0 });
    }
    return this.warnings;
  }

  /** A code kept as declared; a warning when it does not have the expected shape. */
  code(n: XNode | undefined, field: string, shape: RegExp, expected: string): string {
    const v = n?.text ?? '';
    if (v !== '' && !shape.test(v)) this.warn('INVALID_VALUE', n, field, `"${v}" is not ${expected}`);
    return v;
  }

  /** An exact decimal string, or empty (with a warning) when the text is not one. */
  decimal(n: XNode | undefined, field: string, unit?: { attr: string; expected: string }): string {
    if (n === undefined) return '';
    const v = n.text;
    if (v === '') return '';
    if (!isDecimal(v)) {
      this.warn('INVALID_VALUE', n, field, `"${v}" is not a decimal number`);
      return '';
    }
    const u = unit ? n.attrs[unit.attr] : undefined;
    if (unit && u !== undefined && u !== unit.expected) {
      // A mass in another unit cannot be stored as kilograms without converting, which we do not do.
      this.warn('INVALID_VALUE', n, field, `"${v}" is in ${unit.attr} "${u}", not ${unit.expected}; the value was not kept`);
      return '';
    }
    return v;
  }

  /** An amount with its currencyID, kept as an exact decimal string. */
  amount(n: XNode | undefined, field: string): DecimalAmount | undefined {
    if (n === undefined || n.text === '') return undefined;
    const value = n.text;
    if (!isDecimal(value)) {
      this.warn('INVALID_VALUE', n, field, `"${value}" is not a decimal amount`);
      return undefined;
    }
    const currency = n.attrs.currencyID ?? '';
    if (currency === '') this.warn('MISSING_ELEMENT', n, field, `amount ${value} has no currencyID attribute`);
    // The ISO 4217 list shared by every format (../values): "ZZZ" is shaped like a code but is none.
    else if (currencyProblem(currency, 'currencyID')) this.warn('INVALID_VALUE', n, field, currencyProblem(currency, 'currencyID')!);
    return { value, currency };
  }

  /** An amount the contract holds as GBP pence; undefined (with a warning) when it cannot be. */
  pence(n: XNode | undefined, field: string): number | undefined {
    if (n === undefined || n.text === '') return undefined;
    const currency = n.attrs.currencyID ?? '';
    if (currency !== 'GBP') {
      const why = currency === '' ? 'has no currencyID attribute' : `is in ${currency}`;
      this.warn('INVALID_VALUE', n, field, `amount ${n.text} ${why}; this field holds GBP pence only, so it was not kept`);
      return undefined;
    }
    const r = gbpToPence(n.text);
    if (!r.ok) {
      this.warn('INVALID_VALUE', n, field, r.reason);
      return undefined;
    }
    return r.pence;
  }

  party(role: string, n: XNode | undefined): Party | undefined {
    if (n === undefined) return undefined;
    const p: Party = {
      role,
      id: text(n, 'ID'),
      name: text(n, 'Name'),
      countryCode: this.code(kid(kid(n, 'Address'), 'CountryCode'), `${role} country (Address/CountryCode)`, COUNTRY, 'an ISO alpha-2 country code'),
    };
    return p.id || p.name || p.countryCode ? p : undefined;
  }

  document(n: XNode, field: string): Document {
    const category = text(n, 'CategoryCode');
    const type = text(n, 'TypeCode');
    const code = category + type;
    if (!/^[A-Z0-9]{4}$/.test(code)) this.warn('INVALID_VALUE', n, field, `document code "${code}" (CategoryCode "${category}" + TypeCode "${type}") is not 4 characters`);
    return { code, reference: text(n, 'ID'), status: text(n, 'LPCOExemptionCode'), reason: text(n, 'Name') };
  }

  info(n: XNode): AdditionalInformation {
    // Amendment/cancellation reasons come as StatementTypeCode AES with no StatementCode: the AI code stays empty.
    return { code: text(n, 'StatementCode'), text: text(n, 'StatementDescription') };
  }

  previous(n: XNode): PreviousDocument {
    return { category: text(n, 'CategoryCode'), type: text(n, 'TypeCode'), reference: text(n, 'ID'), line: text(n, 'LineNumeric') };
  }

  adjustments(valuation: XNode | undefined, field: string): Adjustment[] {
    return kids(valuation, 'ChargeDeduction').map((c) => ({
      code: this.code(kid(c, 'ChargesTypeCode'), field, /^[A-Z]{2}$/, 'a 2-letter DE 4/9 code'),
      amount: this.amount(kid(c, 'OtherChargeDeductionAmount'), field),
    }));
  }

  fiscal(n: XNode): FiscalReference {
    return { role: text(n, 'RoleCode'), vatId: text(n, 'ID') };
  }
}

/**
 * Maps a DEC-DMS Declaration element. `root` is the Declaration node; `basePath` the path of its
 * parent (e.g. "MetaData") so that issues carry full element paths.
 */
export function mapDeclaration(root: XNode, basePath: string, sourceName: string, maxWarnings: number): MapResult {
  const m = new Mapper(sourceName, basePath, root, maxWarnings);
  const functionCodeNode = kid(root, 'FunctionCode');
  const functionCode = functionCodeNode?.text ?? '';
  const typeCodeNode = kid(root, 'TypeCode');
  const typeCode = typeCodeNode?.text ?? '';

  let kind: DmsMessageKind;
  if (functionCode === '9') kind = 'declaration';
  else if (functionCode === '14') kind = 'invalidation';
  else if (functionCode === '13') {
    if (typeCode === 'COR') kind = 'amendment';
    else if (typeCode === 'INV') kind = 'invalidation';
    else if (typeCode === '')
      return {
        ok: false,
        error: m.issue('MISSING_ELEMENT', functionCodeNode, 'TypeCode', 'an additional message (FunctionCode 13) must say what it is in TypeCode (COR amendment, INV invalidation)'),
      };
    else {
      const gpr = typeCode === 'GPR' ? ' (goods presentation notification)' : '';
      return {
        ok: false,
        error: m.issue('NOT_A_DECLARATION', typeCodeNode, 'TypeCode', `this is a DMS additional message of TypeCode ${typeCode}${gpr}, not a declaration, amendment (COR) or invalidation (INV)`),
      };
    }
  } else if (functionCode === '') {
    return {
      ok: false,
      error: m.issue(
        'MISSING_ELEMENT',
        root,
        'functionCode (FunctionCode)',
        'FunctionCode is missing, so it is unknown whether this is an original declaration (9) or an amendment/additional message (13)',
      ),
    };
  } else {
    return {
      ok: false,
      error: m.issue(
        'INVALID_VALUE',
        functionCodeNode,
        'functionCode (FunctionCode)',
        `FunctionCode "${functionCode}" is not 9 (original declaration), 13 (amendment/additional message) or 14 (invalidation)`,
      ),
    };
  }
  const original = kind === 'declaration';

  const shipment = kid(root, 'GoodsShipment');
  const itemNodes = kids(shipment, 'GovernmentAgencyGoodsItem');
  if (original && itemNodes.length === 0) {
    return {
      ok: false,
      error: m.issue('MISSING_ELEMENT', shipment ?? root, 'items (GoodsShipment/GovernmentAgencyGoodsItem)', 'an original declaration (FunctionCode 9) must declare at least one goods item'),
    };
  }

  if (original) m.code(typeCodeNode, 'typeCode (DE 1/1 + 1/2)', /^[A-Z]{3}$/, 'a declaration type such as IMA or IMZ');
  const idNode = kid(root, 'ID');
  const mrn = m.code(idNode, 'mrn (Declaration/ID)', MRN, 'an 18-character MRN (2 digits, country, 13 characters, check digit)');
  if (!original && mrn === '')
    m.warn('MISSING_ELEMENT', root, 'mrn (Declaration/ID)', `a${kind === 'amendment' ? 'n amendment' : 'n invalidation'} must name the MRN of the declaration it applies to`);

  // Acceptance date: supplementary declarations carry the real one (AcceptanceDateTime, matching the
  // CLE date in DE 2/1); otherwise the declaration's own IssueDateTime is the best the file offers.
  let acceptanceDate = '';
  let acceptanceDateSource = '';
  for (const [element, source] of [
    ['AcceptanceDateTime', 'declared'],
    ['IssueDateTime', 'issue_date'],
  ] as const) {
    const dt = kid(kid(root, element), 'DateTimeString');
    if (dt === undefined || dt.text === '') continue;
    const r = dmsDate(dt.text, dt.attrs.formatCode ?? '304');
    if (r.ok) {
      acceptanceDate = r.date;
      acceptanceDateSource = source;
      break;
    }
    m.warn('INVALID_VALUE', dt, `acceptanceDate (${element})`, r.reason);
  }

  const parties: Party[] = [];
  const addParty = (p: Party | undefined): void => {
    if (p) parties.push(p);
  };
  const importer = m.party('importer', kid(shipment, 'Importer'));
  addParty(importer);
  addParty(m.party('declarant', kid(root, 'Declarant')));
  const agent = kid(root, 'Agent');
  addParty(m.party('representative', agent));
  addParty(m.party('exporter', kid(root, 'Exporter')));
  addParty(m.party('seller', kid(shipment, 'Seller')));
  addParty(m.party('buyer', kid(shipment, 'Buyer')));
  addParty(m.party('consignor', kid(shipment, 'Consignor')));
  addParty(m.party('consignee', kid(shipment, 'Consignee')));

  const headerDocs = kids(root, 'AdditionalDocument');
  const defermentAccounts: string[] = [];
  const documents: Document[] = [];
  for (const d of headerDocs) {
    if (text(d, 'TypeCode') === 'DAN') {
      // DE 2/6: CategoryCode 1/2 only says whose account it is; the DAN itself is the ID.
      defermentAccounts.push(m.code(kid(d, 'ID'), 'defermentAccounts (DE 2/6)', /^\d{7}$/, 'a 7-digit deferment account number'));
    } else {
      documents.push(m.document(d, 'documents (DE 2/3, header)'));
    }
  }

  const exchanges = kids(root, 'CurrencyExchange');
  if (exchanges.length > 1) m.warn('INVALID_VALUE', exchanges[1], 'exchangeRate (DE 4/15)', `${exchanges.length} CurrencyExchange elements; only the first rate is kept`);
  const tradeTerms = kid(shipment, 'TradeTerms');

  // DE 3/40 may be given per item; the contract has one list, so item references join the header's.
  const fiscalReferences: FiscalReference[] = [];
  const seenFiscal = new Set<string>();
  const addFiscal = (f: FiscalReference): void => {
    const key = `${f.role}\u0000${f.vatId}`;
    if (seenFiscal.has(key)) return;
    seenFiscal.add(key);
    fiscalReferences.push(f);
  };
  for (const f of kids(shipment, 'DomesticDutyTaxParty')) addFiscal(m.fiscal(f));

  const headerDispatch = m.code(kid(kid(shipment, 'ExportCountry'), 'ID'), 'dispatchCountry (DE 5/14)', COUNTRY, 'an ISO alpha-2 country code');
  const items: GoodsItem[] = [];
  const seenNumbers = new Set<number>();
  const itemDestinations = new Set<string>();
  let itemsWithDestination = 0;
  for (const [position, gi] of itemNodes.entries()) {
    const item = mapItem(m, gi, position + 1, original, headerDispatch);
    if (item.itemNumber > 0) {
      if (seenNumbers.has(item.itemNumber)) m.warn('INVALID_VALUE', kid(gi, 'SequenceNumeric'), 'itemNumber (DE 1/6)', `goods item number ${item.itemNumber} is used more than once`);
      seenNumbers.add(item.itemNumber);
    }
    for (const f of kids(gi, 'DomesticDutyTaxParty')) addFiscal(m.fiscal(f));
    const dest = text(gi, 'Destination', 'CountryCode');
    if (dest) {
      itemDestinations.add(dest);
      itemsWithDestination++;
    }
    items.push(item);
  }

  if (itemNodes.length > 999) m.warn('INVALID_VALUE', itemNodes[999], 'items (DE 1/6)', `${itemNodes.length} goods items are declared; a CDS declaration holds at most 999`);
  const declaredCount = kid(root, 'GoodsItemQuantity');
  if (original && declaredCount && declaredCount.text !== String(itemNodes.length)) {
    m.warn('INVALID_VALUE', declaredCount, 'items (DE 1/9 total number of items)', `GoodsItemQuantity says ${declaredCount.text} but ${itemNodes.length} goods item(s) are declared`);
  }

  let destinationCountry = m.code(kid(kid(shipment, 'Destination'), 'CountryCode'), 'destinationCountry (DE 5/8)', COUNTRY, 'an ISO alpha-2 country code');
  // DE 5/8 may be declared per item only; one value declared on every item is the declaration's.
  if (destinationCountry === '' && itemDestinations.size === 1 && itemsWithDestination === itemNodes.length) destinationCountry = [...itemDestinations][0]!;

  const amendments: DmsAmendment[] = kids(root, 'Amendment').map((a) => ({
    changeReasonCode: text(a, 'ChangeReasonCode'),
    pointers: kids(a, 'Pointer').map((p) => ({ sequence: text(p, 'SequenceNumeric'), section: text(p, 'DocumentSectionCode'), tagId: text(p, 'TagID') })),
    line: a.line,
  }));

  const declaration: MappedDeclaration = {
    tenantId: '',
    declarationId: '',
    version: 0,
    lrn: text(root, 'FunctionalReferenceID'),
    mrn,
    functionCode,
    typeCode,
    acceptanceDate,
    acceptanceDateSource,
    parties,
    invoiceAmount: m.amount(kid(root, 'InvoiceAmount'), 'invoiceAmount (DE 4/11)'),
    exchangeRate: m.decimal(kid(exchanges[0], 'RateNumeric'), 'exchangeRate (DE 4/15)'),
    incoterm: m.code(kid(tradeTerms, 'ConditionCode'), 'incoterm (DE 4/1)', /^[A-Z]{3}$/, 'a 3-letter Incoterm'),
    deliveryLocation: text(tradeTerms, 'LocationID') || text(tradeTerms, 'LocationName'),
    adjustments: m.adjustments(kid(shipment, 'CustomsValuation'), 'adjustments (DE 4/9, header)'),
    authorisations: kids(root, 'AuthorisationHolder').map((a): Authorisation => ({ type: text(a, 'CategoryCode'), holderId: text(a, 'ID') })),
    additionalInformation: kids(root, 'AdditionalInformation').map((n) => m.info(n)),
    previousDocuments: kids(shipment, 'PreviousDocument').map((n) => m.previous(n)),
    documents,
    fiscalReferences,
    defermentAccounts,
    representativeStatus: m.code(kid(agent, 'FunctionCode'), 'representativeStatus (DE 3/21)', /^[1-3]$/, 'a representative status code (1, 2 or 3)'),
    totalPackages: m.code(kid(root, 'TotalPackageQuantity'), 'totalPackages (DE 6/18)', /^\d+$/, 'a whole number of packages'),
    totalGrossMassKg: m.decimal(kid(root, 'TotalGrossMassMeasure'), 'totalGrossMassKg (DE 6/5 total)', { attr: 'unitCode', expected: 'KGM' }),
    transportMode: m.code(kid(kid(root, 'BorderTransportMeans'), 'ModeCode'), 'transportMode (DE 7/4)', /^\d$/, 'a 1-digit transport mode'),
    customsValuePence: 0,
    customsValuePresent: false,
    items,
    batchId: '',
    receivedAt: '',
    destinationCountry,
    goodsLocation: goodsLocation(m, kid(kid(shipment, 'Consignment'), 'GoodsLocation')),
    importerEori: importer?.id ?? '',
    status: '',
    changeKind: '',
    appliedChanges: [],
  };
  return { ok: true, declaration, warnings: m.finishWarnings(), kind, amendments };
}

/**
 * DE 5/23 is the concatenation country (2) + type of location (1) + qualifier of identification (1)
 * + identification, e.g. "GBAUWLALONBTW": the form CDS itself reports. DMS splits it over
 * GoodsLocation Address/CountryCode, TypeCode, Address/TypeCode and Name. When a part is missing the
 * identification (Name) alone is kept and the gap is a warning.
 */
function goodsLocation(m: Mapper, gl: XNode | undefined): string {
  if (gl === undefined) return '';
  const name = text(gl, 'Name') || text(gl, 'ID');
  const country = text(gl, 'Address', 'CountryCode');
  const type = text(gl, 'TypeCode');
  const qualifier = text(gl, 'Address', 'TypeCode');
  if (name && country && type && qualifier) return `${country}${type}${qualifier}${name}`;
  if (name) m.warn('MISSING_ELEMENT', gl, 'goodsLocation (DE 5/23)', `location of goods "${name}" lacks its country, type or qualifier; only the identification is kept`);
  return name;
}

function mapItem(m: Mapper, gi: XNode, position: number, original: boolean, headerDispatch: string): GoodsItem {
  const seqNode = kid(gi, 'SequenceNumeric');
  const seq = seqNode?.text ?? '';
  let itemNumber = 0;
  if (/^\d{1,9}$/.test(seq) && Number(seq) > 0) {
    itemNumber = Number(seq);
    // DE 1/6 is 1–999 (../values): a larger number is kept as declared (DMS values are), but flagged.
    const outOfRange = itemNumberProblem(seq);
    if (outOfRange) m.warn('INVALID_VALUE', seqNode, 'itemNumber (DE 1/6)', outOfRange);
  } else
    m.warn(seq === '' ? 'MISSING_ELEMENT' : 'INVALID_VALUE', seqNode ?? gi, 'itemNumber (DE 1/6)', seq === '' ? 'goods item has no SequenceNumeric' : `"${seq}" is not a positive goods item number`);
  const label = itemNumber ? `item ${itemNumber}` : `goods item #${position}`;

  const commodity = kid(gi, 'Commodity');
  const classifications = kids(commodity, 'Classification');
  const byType = (type: string): XNode[] =>
    classifications
      .filter((c) => text(c, 'IdentificationTypeCode') === type)
      .map((c) => kid(c, 'ID')!)
      .filter((n) => n !== undefined);
  const tsp = byType('TSP');
  const trc = byType('TRC');
  if (tsp.length > 1) m.warn('INVALID_VALUE', tsp[1], 'commodityCode (DE 6/14)', `${label} declares ${tsp.length} combined nomenclature codes; the first is kept`);
  const cn = m.code(tsp[0], 'commodityCode (DE 6/14)', /^\d{8}$/, 'an 8-digit combined nomenclature code');
  const taric = m.code(trc[0], 'commodityCode (DE 6/15)', /^\d{2}$/, 'a 2-digit TARIC code');
  let commodityCode = '';
  if (cn !== '') {
    commodityCode = cn + taric;
    if (taric === '' && original && cn.length === 8)
      m.warn('MISSING_ELEMENT', tsp[0], 'commodityCode (DE 6/15)', `${label}: no TARIC code (Classification TRC) is declared, so the commodity code has only the 8 CN digits "${cn}"`);
  } else if (original) {
    m.warn('MISSING_ELEMENT', commodity ?? gi, 'commodityCode (DE 6/14)', `${label} declares no commodity code (Classification TSP)`);
  }
  const additionalCodes = [
    ...byType('TRA').map((n) => m.code(n, 'additionalCodes (DE 6/16)', /^[A-Z0-9]{4}$/, 'a 4-character TARIC additional code')),
    ...byType('GN').map((n) => m.code(n, 'additionalCodes (DE 6/17)', /^[A-Z0-9]{4}$/, 'a 4-character national additional code')),
  ];

  // DE 1/10 is the procedure with a previous procedure (2+2 digits); DE 1/11 entries are 3-character APCs.
  const procedures = kids(gi, 'GovernmentProcedure');
  const main = procedures.filter((p) => kid(p, 'PreviousCode') !== undefined || text(p, 'CurrentCode').length === 2);
  if (main.length > 1) m.warn('INVALID_VALUE', main[1], 'procedureCode (DE 1/10)', `${label} declares ${main.length} procedure codes; the first is kept`);
  let procedureCode = '';
  if (main[0] !== undefined) {
    procedureCode = text(main[0], 'CurrentCode') + text(main[0], 'PreviousCode');
    if (!/^\d{4}$/.test(procedureCode)) m.warn('INVALID_VALUE', main[0], 'procedureCode (DE 1/10)', `"${procedureCode}" is not a 4-digit procedure code (requested 2 + previous 2)`);
  } else if (original) {
    m.warn('MISSING_ELEMENT', gi, 'procedureCode (DE 1/10)', `${label} declares no procedure code (GovernmentProcedure with CurrentCode and PreviousCode)`);
  }
  const additionalProcedureCodes = procedures
    .filter((p) => !main.includes(p))
    .map((p) => m.code(kid(p, 'CurrentCode'), 'additionalProcedureCodes (DE 1/11)', /^[A-Z0-9]{3}$/, 'a 3-character additional procedure code'));

  let originCountry = '';
  let preferentialOrigin = '';
  for (const o of kids(gi, 'Origin')) {
    const type = text(o, 'TypeCode');
    const cc = kid(o, 'CountryCode');
    if (type === '1') {
      // ZN/ZU (continental shelf) are real DE 5/15 pseudo-codes: alpha-2 in shape, kept as declared.
      if (originCountry) m.warn('INVALID_VALUE', o, 'originCountry (DE 5/15)', `${label} declares more than one non-preferential origin; the first is kept`);
      else originCountry = m.code(cc, 'originCountry (DE 5/15)', COUNTRY, 'an ISO alpha-2 country code');
    } else if (type === '2') {
      // DE 5/16 may be a country group code (e.g. 1013 for the EU), so no alpha-2 shape check.
      if (preferentialOrigin) m.warn('INVALID_VALUE', o, 'preferentialOrigin (DE 5/16)', `${label} declares more than one preferential origin; the first is kept`);
      else preferentialOrigin = cc?.text ?? '';
    } else {
      m.warn(
        type === '' ? 'MISSING_ELEMENT' : 'INVALID_VALUE',
        o,
        'Origin/TypeCode',
        `origin ${cc?.text ?? ''} has TypeCode "${type}"; 1 (DE 5/15 origin) or 2 (DE 5/16 preferential origin) was expected, so it was not kept`,
      );
    }
  }

  const itemDispatch = kid(kid(gi, 'ExportCountry'), 'ID');
  // DE 5/14 declared once at header level applies to every item.
  const dispatchCountry = itemDispatch ? m.code(itemDispatch, 'dispatchCountry (DE 5/14)', COUNTRY, 'an ISO alpha-2 country code') : headerDispatch;

  const duties = kids(commodity, 'DutyTaxFee');
  const regimes = duties.map((d) => kid(d, 'DutyRegimeCode')).filter((n): n is XNode => n !== undefined && n.text !== '');
  const preference = m.code(regimes[0], 'preference (DE 4/17)', /^\d{3}$/, 'a 3-digit preference code');
  const otherRegime = regimes.find((r) => r.text !== preference);
  if (otherRegime) m.warn('INVALID_VALUE', otherRegime, 'preference (DE 4/17)', `${label} declares preference ${preference} and ${otherRegime.text}; the first is kept`);
  const quotas = duties.map((d) => kid(d, 'QuotaOrderID')).filter((n): n is XNode => n !== undefined && n.text !== '');
  const quotaOrderNumber = m.code(quotas[0], 'quotaOrderNumber (DE 8/1)', /^\d{6}$/, 'a 6-digit quota order number');
  const otherQuota = quotas.find((q) => q.text !== quotaOrderNumber);
  if (otherQuota) m.warn('INVALID_VALUE', otherQuota, 'quotaOrderNumber (DE 8/1)', `${label} declares quota ${quotaOrderNumber} and ${otherQuota.text}; the first is kept`);

  const taxLines: TaxLine[] = [];
  for (const d of duties) {
    const line = taxLine(m, d, label);
    if (line) taxLines.push(line);
  }

  const measure = kid(commodity, 'GoodsMeasure');
  const valuation = kid(gi, 'CustomsValuation');
  const customsValue = m.pence(kid(gi, 'CustomsValueAmount'), 'customsValuePence (DE 4/18)');
  const statisticalValue = m.pence(kid(gi, 'StatisticalValueAmount'), 'statisticalValuePence (DE 8/6)');

  const parties: Party[] = [];
  for (const [role, name] of [
    ['seller', 'Seller'],
    ['buyer', 'Buyer'],
    ['consignor', 'Consignor'],
    ['consignee', 'Consignee'],
  ] as const) {
    const p = m.party(role, kid(gi, name));
    if (p) parties.push(p);
  }

  return GoodsItem.fromPartial({
    itemNumber,
    commodityCode,
    additionalCodes,
    description: text(commodity, 'Description'),
    procedureCode,
    additionalProcedureCodes,
    originCountry,
    preferentialOrigin,
    dispatchCountry,
    preference,
    valuationMethod: m.code(kid(valuation, 'MethodCode'), 'valuationMethod (DE 4/16)', /^[1-6]$/, 'a valuation method 1-6'),
    valuationIndicators: m.code(kid(kid(gi, 'ValuationAdjustment'), 'AdditionCode'), 'valuationIndicators (DE 4/13)', /^\d{4}$/, 'four 1-digit valuation indicators'),
    itemPrice: m.amount(kid(kid(commodity, 'InvoiceLine'), 'ItemChargeAmount'), 'itemPrice (DE 4/14)'),
    customsValuePence: customsValue ?? 0,
    customsValuePresent: customsValue !== undefined,
    statisticalValuePence: statisticalValue ?? 0,
    netMassKg: m.decimal(kid(measure, 'NetNetWeightMeasure'), 'netMassKg (DE 6/1)', { attr: 'unitCode', expected: 'KGM' }),
    grossMassKg: m.decimal(kid(measure, 'GrossMassMeasure'), 'grossMassKg (DE 6/5)', { attr: 'unitCode', expected: 'KGM' }),
    supplementaryUnits: m.decimal(kid(measure, 'TariffQuantity'), 'supplementaryUnits (DE 6/2)'),
    quotaOrderNumber,
    documents: kids(gi, 'AdditionalDocument').map((n) => m.document(n, 'documents (DE 2/3)')),
    additionalInformation: kids(gi, 'AdditionalInformation').map((n) => m.info(n)),
    adjustments: m.adjustments(valuation, 'adjustments (DE 4/9)'),
    taxLines,
    previousDocuments: kids(gi, 'PreviousDocument').map((n) => m.previous(n)),
    parties,
  });
}

/**
 * One DutyTaxFee → a tax line. A DutyTaxFee without a tax type that only carries the preference
 * (DE 4/17), quota (DE 8/1) or a method of payment is not a tax line. DE 4/6 payable (Payment/PaymentAmount) is preferred; DE 4/7 total
 * (Payment/TaxAssessedAmount) stands in when only it is declared. trader_declared is true exactly
 * when the trader declared an amount (manual calculation, OVR01); a line with only a tax type and
 * a method of payment leaves the amount to CDS, and its payable_pence 0 means "not declared".
 */
function taxLine(m: Mapper, d: XNode, label: string): TaxLine | undefined {
  const typeNode = kid(d, 'TypeCode');
  const adValorem = kid(d, 'AdValoremTaxBaseAmount');
  const specific = kid(d, 'SpecificTaxBaseQuantity');
  const rateNode = kid(d, 'TaxRateNumeric');
  const payment = kid(d, 'Payment');
  const mopNode = kid(payment, 'MethodCode');
  const payable = kid(payment, 'PaymentAmount') ?? kid(payment, 'TaxAssessedAmount');
  if (!typeNode?.text) {
    // HMRC's samples often put DE 4/17 and a method of payment in a DutyTaxFee of their own without
    // a tax type: nothing there is a tax line. A bare DE 4/4 base (e.g. ASV 16 or LPA 10.2 for excise)
    // is how CDS takes excise inputs, so it is kept as a line without a type; a rate or amount
    // without a tax type cannot be attributed to any tax and is flagged.
    if (!adValorem && !specific && !rateNode && !payable) return undefined;
    if (rateNode || payable) m.warn('MISSING_ELEMENT', d, 'taxLines.taxType (DE 4/3)', `${label}: a tax rate or amount is declared without a tax type`);
  }
  const base = adValorem ?? specific;
  const baseAmount = m.decimal(base, 'taxLines.baseAmount (DE 4/4)');
  const pence = m.pence(payable, payable?.name === 'PaymentAmount' ? 'taxLines.payablePence (DE 4/6)' : 'taxLines.payablePence (DE 4/7)');
  return {
    taxType: m.code(typeNode, 'taxLines.taxType (DE 4/3)', /^[A-Z0-9]{3}$/, 'a 3-character tax type'),
    baseAmount,
    baseUnit: baseAmount === '' ? '' : (base!.attrs[adValorem ? 'currencyID' : 'unitCode'] ?? ''),
    rate: m.decimal(rateNode, 'taxLines.rate (DE 4/5)'),
    payablePence: pence ?? 0,
    methodOfPayment: m.code(mopNode, 'taxLines.methodOfPayment (DE 4/8)', /^[A-Z]$/, 'a 1-letter method of payment'),
    traderDeclared: pence !== undefined,
    suspendedPence: 0,
  };
}
