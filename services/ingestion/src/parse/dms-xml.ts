import { createHash } from 'node:crypto';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { Declaration, GoodsItem, SourceFormat, type AdditionalInformation, type Adjustment, type Document, type Party, type PreviousDocument, type TaxLine } from '@customs/contracts';

/** One problem in a DMS document, located precisely. */
export interface DmsIssue {
  sourceName: string;
  line: number;
  column: number;
  elementPath: string;
  field: string;
  reason: string;
  code: 'XML_NOT_WELL_FORMED' | 'WRONG_NAMESPACE' | 'DTD_FORBIDDEN' | 'NOT_A_DECLARATION' | 'TOO_LARGE' | 'INVALID_ENCODING' | 'MISSING_ELEMENT' | 'INVALID_VALUE' | 'FIELD_TOO_LONG';
}

export type DmsParseResult = { ok: true; declaration: Declaration; warnings: DmsIssue[] } | { ok: false; errors: DmsIssue[] };

const NS_META = 'urn:wco:datamodel:WCO:DocumentMetaData-DMS:2';
const NS_DEC = 'urn:wco:datamodel:WCO:DEC-DMS:2';
const NS_MDG = 'http://uk/gov/hmrc/mdg/declarationmanagement/submitdeclaration/request/schema/v1';
const MAX_TEXT = 64 * 1024;
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** A parsed element: local name, namespace, attributes, text, children, position. */
interface El {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  text: string;
  children: El[];
  line: number;
  column: number;
  path: string;
}

const child = (e: El | undefined, name: string): El | undefined => e?.children.find((c) => c.name === name);
const kids = (e: El | undefined, name: string): El[] => e?.children.filter((c) => c.name === name) ?? [];
const txt = (e: El | undefined, ...path: string[]): string => {
  let cur = e;
  for (const p of path) cur = child(cur, p);
  return cur?.text.trim() ?? '';
};

/**
 * Builds the element tree with saxes (no DTD processing, no entity expansion beyond the five
 * predefined XML entities): linear in the input, and it refuses any DOCTYPE outright, which
 * closes XXE and entity-expansion ("billion laughs") attacks.
 */
function buildTree(xml: string, sourceName: string): { root?: El; error?: DmsIssue } {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: El[] = [];
  let root: El | undefined;
  let error: DmsIssue | undefined;
  const fail = (code: DmsIssue['code'], field: string, reason: string) => {
    error ??= { sourceName, line: parser.line, column: parser.column, elementPath: stack.map((s) => s.name).join('/') || '(document)', field, reason, code };
  };
  parser.on('doctype', () => fail('DTD_FORBIDDEN', 'DOCTYPE', 'DTDs and entity declarations are not accepted (XXE / entity-expansion protection)'));
  parser.on('error', (e) => fail('XML_NOT_WELL_FORMED', '(xml)', e.message.replace(/^.*?:\d+:\d+: /, '')));
  parser.on('opentag', (t: SaxesTagNS) => {
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(t.attributes)) attrs[a.local || k] = a.value;
    const parentPath = stack.length ? stack[stack.length - 1]!.path : '';
    const el: El = { name: t.local, ns: t.uri, attrs, text: '', children: [], line: parser.line, column: parser.column, path: `${parentPath}/${t.local}` };
    if (stack.length) stack[stack.length - 1]!.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    if (top.text.length + t.length > MAX_TEXT) return fail('FIELD_TOO_LONG', top.name, `text longer than ${MAX_TEXT} characters`);
    top.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  try {
    parser.write(xml).close();
  } catch (e) {
    fail('XML_NOT_WELL_FORMED', '(xml)', (e as Error).message.replace(/^.*?:\d+:\d+: /, ''));
  }
  return error ? { error } : { root };
}

/** Exact decimal amount in GBP → pence (truncating sub-penny digits is never needed for GBP fields). */
function gbpToPence(value: string): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const pence = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -pence : pence;
}

function isoDateOf(dmsDateTime: string): string {
  // formatCode 304: CCYYMMDDhhmmss with zone, e.g. 20241114134944Z; 102: CCYYMMDD.
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(dmsDateTime.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : '';
}

function party(role: string, e: El | undefined): Party | undefined {
  if (!e) return undefined;
  const p: Party = { role, id: txt(e, 'ID'), name: txt(e, 'Name'), countryCode: txt(e, 'Address', 'CountryCode') };
  return p.id || p.name ? p : undefined;
}

function documentOf(e: El): Document {
  return { code: `${txt(e, 'CategoryCode')}${txt(e, 'TypeCode')}`, reference: txt(e, 'ID'), status: txt(e, 'LPCOExemptionCode'), reason: txt(e, 'Name') };
}

function infoOf(e: El): AdditionalInformation {
  return { code: txt(e, 'StatementCode') || txt(e, 'StatementTypeCode'), text: txt(e, 'StatementDescription') };
}

function previousOf(e: El): PreviousDocument {
  return { category: txt(e, 'CategoryCode'), type: txt(e, 'TypeCode'), reference: txt(e, 'ID'), line: txt(e, 'LineNumeric') };
}

function amount(e: El | undefined): { value: string; currency: string } | undefined {
  return e && e.text.trim() ? { value: e.text.trim(), currency: e.attrs.currencyID ?? '' } : undefined;
}

/** Finds the declaration element, unwrapping HMRC's MDG envelope; or says why there is none. */
function locateDeclaration(root: El, sourceName: string): { decl?: El; error?: DmsIssue } {
  const at = (e: El, code: DmsIssue['code'], field: string, reason: string): { error: DmsIssue } => ({ error: { sourceName, line: e.line, column: e.column, elementPath: e.path, field, reason, code } });
  let top = root;
  if (top.ns === NS_MDG && top.name === 'submitDeclarationRequest') {
    const meta = top.children.find((c) => c.name === 'MetaData') ?? top.children.flatMap((c) => c.children).find((c) => c.name === 'MetaData');
    if (!meta) return at(top, 'MISSING_ELEMENT', 'MetaData', 'MDG envelope submitDeclarationRequest holds no md:MetaData declaration');
    top = meta;
  }
  // Notifications (DMSACC, DMSREJ, …) come with or without namespaces; say what they are first.
  const response = top.children.find((c) => c.name === 'Response');
  if (top.name === 'MetaData' && response) {
    const type = txt(top, 'WCOTypeName') || 'RES';
    const fn = txt(response, 'FunctionCode');
    return at(response, 'NOT_A_DECLARATION', 'Response', `this is a DMS notification (${type}${fn ? `, function code ${fn}` : ''}), not a declaration`);
  }
  const colonless = Object.entries(top.attrs).find(([, v]) => /^urnwco/i.test(v));
  if (colonless) return at(top, 'WRONG_NAMESPACE', top.name, `namespace URI "${colonless[1]}" is not absolute (its colons are missing); expected ${NS_META} and ${NS_DEC}`);
  if (top.name === 'Declaration') {
    if (top.ns !== NS_DEC) return at(top, 'WRONG_NAMESPACE', 'Declaration', `namespace "${top.ns}" is not ${NS_DEC}`);
    return { decl: top };
  }
  if (top.name !== 'MetaData') return at(top, 'NOT_A_DECLARATION', top.name, `root element ${top.name} (namespace "${top.ns}") is not a WCO/DMS declaration`);
  if (top.ns !== NS_META) return at(top, 'WRONG_NAMESPACE', 'MetaData', `namespace "${top.ns}" is not ${NS_META}`);
  const decl = top.children.find((c) => c.name === 'Declaration');
  if (!decl) return at(top, 'MISSING_ELEMENT', 'Declaration', 'md:MetaData contains no Declaration element');
  if (decl.ns !== NS_DEC) return at(decl, 'WRONG_NAMESPACE', 'Declaration', `namespace "${decl.ns}" is not ${NS_DEC}`);
  return { decl };
}

/**
 * Parses one WCO Data Model 3.6 / DMS import declaration (as brokers submit it to CDS) into the
 * canonical Declaration. Rejects what makes the document unusable (size, encoding, DTD, not
 * well-formed, wrong namespace, notification instead of declaration, original without items);
 * questionable values are warnings: validation decides compliance. Pure: no I/O.
 */
export function parseDmsDeclaration(input: Buffer | string, opts: { sourceName: string; maxBytes?: number }): DmsParseResult {
  const { sourceName } = opts;
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const reject = (code: DmsIssue['code'], field: string, reason: string, line = 0, column = 0): DmsParseResult => ({ ok: false, errors: [{ sourceName, line, column, elementPath: '(document)', field, reason, code }] });
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) return reject('TOO_LARGE', '(document)', `document is ${bytes.length} bytes; the limit is ${maxBytes}`);
  if (bytes.length === 0) return reject('XML_NOT_WELL_FORMED', '(document)', 'document is empty');
  if (bytes[0] === 0xfe || bytes[0] === 0xff || (bytes[0] === 0x00 && bytes[1] === 0x3c)) return reject('INVALID_ENCODING', 'encoding', 'UTF-16 documents are not accepted; send UTF-8');
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = findInvalidUtf8(bytes);
    return reject('INVALID_ENCODING', 'encoding', `not valid UTF-8 at byte offset ${bad.offset}`, bad.line, 0);
  }
  const declared = /^\uFEFF?<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(xml)?.[1];
  if (declared && !/^(utf-8|us-ascii)$/i.test(declared)) return reject('INVALID_ENCODING', 'encoding', `declared encoding "${declared}" is not accepted; send UTF-8`, 1, 1);

  const tree = buildTree(xml.replace(/^\uFEFF/, ''), sourceName);
  if (tree.error) return { ok: false, errors: [tree.error] };
  const located = locateDeclaration(tree.root!, sourceName);
  if (located.error) return { ok: false, errors: [located.error] };
  const d = located.decl!;
  const warnings: DmsIssue[] = [];
  const warn = (e: El | undefined, field: string, reason: string) => warnings.push({ sourceName, line: e?.line ?? 0, column: e?.column ?? 0, elementPath: e?.path ?? d.path, field, reason, code: 'INVALID_VALUE' });

  const shipment = child(d, 'GoodsShipment');
  const parties: Party[] = [];
  const addParty = (p: Party | undefined) => p && parties.push(p);
  addParty(party('importer', child(shipment, 'Importer')));
  addParty(party('declarant', child(d, 'Declarant')));
  const agent = child(d, 'Agent');
  addParty(party('representative', agent));
  addParty(party('exporter', child(d, 'Exporter')));
  addParty(party('seller', child(shipment, 'Seller')));
  addParty(party('buyer', child(shipment, 'Buyer')));
  addParty(party('consignor', child(shipment, 'Consignor')));
  addParty(party('consignee', child(shipment, 'Consignee')));

  const headerDocs = kids(d, 'AdditionalDocument');
  const functionCode = txt(d, 'FunctionCode');
  const issue = txt(d, 'IssueDateTime', 'DateTimeString') || txt(d, 'AcceptanceDateTime', 'DateTimeString');
  // Header-level origin/preference apply to every item that does not declare its own.
  const headerOrigins = kids(shipment, 'Origin');
  const tradeTerms = child(shipment, 'TradeTerms');

  const items: GoodsItem[] = kids(shipment, 'GovernmentAgencyGoodsItem').map((gi, idx) => {
    const commodity = child(gi, 'Commodity');
    const classes = kids(commodity, 'Classification');
    const cls = (type: string) => classes.filter((c) => txt(c, 'IdentificationTypeCode') === type).map((c) => txt(c, 'ID'));
    const cn8 = cls('TSP')[0] ?? '';
    const taric = cls('TRC')[0] ?? '';
    // CN8 (TSP) + TARIC (TRC) as declared; nothing is padded or guessed.
    const commodityCode = `${cn8}${taric}`;
    const seq = Number(txt(gi, 'SequenceNumeric')) || idx + 1;
    if (!cn8) warn(commodity ?? gi, 'DE 6/14 commodity code', `item ${seq} declares no commodity code (no TSP classification); allowed only for some simplified and low-value data sets`);
    else if (!/^\d{10}$/.test(commodityCode)) warn(classes[0], 'DE 6/14+6/15 commodity code', `item ${seq}: "${commodityCode}" is not a 10-digit code (CN8 "${cn8}" + TARIC "${taric}")`);

    const procedures = kids(gi, 'GovernmentProcedure');
    const main = procedures.find((p) => txt(p, 'PreviousCode') !== '' || /^\d{2}$/.test(txt(p, 'CurrentCode')));
    const procedureCode = main ? `${txt(main, 'CurrentCode')}${txt(main, 'PreviousCode')}` : '';
    const apcs = procedures.filter((p) => p !== main).map((p) => txt(p, 'CurrentCode')).filter(Boolean);

    const origins = kids(gi, 'Origin').length ? kids(gi, 'Origin') : headerOrigins;
    const originOf = (type: string) => txt(origins.find((o) => txt(o, 'TypeCode') === type), 'CountryCode');

    const duties = kids(commodity, 'DutyTaxFee');
    const preference = duties.map((x) => txt(x, 'DutyRegimeCode')).find(Boolean) ?? '';
    const quota = duties.map((x) => txt(x, 'QuotaOrderID')).find(Boolean) ?? '';
    const taxLines: TaxLine[] = duties
      .filter((x) => txt(x, 'TypeCode'))
      .map((x) => {
        const assessed = amount(child(x, 'TaxAssessedAmount')) ?? amount(child(child(x, 'Payment'), 'PaymentAmount'));
        const specific = child(x, 'SpecificTaxBaseQuantity');
        const adValorem = amount(child(x, 'AdValoremTaxBaseAmount'));
        let payable = 0;
        if (assessed) {
          const p = assessed.currency === 'GBP' || !assessed.currency ? gbpToPence(assessed.value) : undefined;
          if (p === undefined) warn(x, 'DE 4/6 payable tax amount', `"${assessed.value} ${assessed.currency}" is not a GBP amount`);
          else payable = p;
        }
        return {
          taxType: txt(x, 'TypeCode'),
          baseAmount: adValorem?.value ?? specific?.text.trim() ?? '',
          baseUnit: adValorem?.currency ?? specific?.attrs.unitCode ?? '',
          rate: txt(x, 'TaxRateNumeric'),
          payablePence: payable,
          methodOfPayment: txt(x, 'Payment', 'MethodCode'),
          traderDeclared: assessed !== undefined,
          suspendedPence: 0,
        };
      });

    const measure = child(commodity, 'GoodsMeasure');
    const decimalOf = (e: El | undefined, field: string): string => {
      const v = e?.text.trim() ?? '';
      if (v && !/^\d+(\.\d+)?$/.test(v)) {
        warn(e, field, `"${v}" is not a decimal number`);
        return '';
      }
      return v;
    };
    const valuation = child(gi, 'CustomsValuation');
    const adjustments: Adjustment[] = kids(valuation, 'ChargeDeduction').map((c) => ({ code: txt(c, 'ChargesTypeCode'), amount: amount(child(c, 'OtherChargeDeductionAmount')) }));
    const statValue = amount(child(gi, 'StatisticalValueAmount'));
    const itemPrice = amount(child(child(commodity, 'InvoiceLine'), 'ItemChargeAmount'));
    if (itemPrice && !/^\d+(\.\d+)?$/.test(itemPrice.value)) warn(commodity, 'DE 4/14 item price', `"${itemPrice.value}" is not a decimal amount`);
    return GoodsItem.fromPartial({
      itemNumber: seq,
      commodityCode,
      additionalCodes: [...cls('TRA'), ...cls('GN')],
      description: txt(commodity, 'Description'),
      procedureCode,
      additionalProcedureCodes: apcs,
      originCountry: originOf('1'),
      preferentialOrigin: originOf('2'),
      dispatchCountry: txt(shipment, 'ExportCountry', 'ID'),
      preference,
      valuationMethod: txt(valuation, 'MethodCode'),
      valuationIndicators: txt(gi, 'ValuationAdjustment', 'AdditionCode'),
      itemPrice,
      statisticalValuePence: statValue && statValue.currency === 'GBP' ? (gbpToPence(statValue.value) ?? 0) : 0,
      netMassKg: decimalOf(child(measure, 'NetNetWeightMeasure'), 'DE 6/1 net mass'),
      grossMassKg: decimalOf(child(measure, 'GrossMassMeasure'), 'DE 6/5 gross mass'),
      supplementaryUnits: decimalOf(child(measure, 'TariffQuantity'), 'DE 6/2 supplementary units'),
      quotaOrderNumber: quota,
      documents: kids(gi, 'AdditionalDocument').map(documentOf),
      additionalInformation: kids(gi, 'AdditionalInformation').map(infoOf),
      adjustments,
      taxLines,
      previousDocuments: kids(gi, 'PreviousDocument').map(previousOf),
    });
  });

  if (items.length === 0 && functionCode === '9') {
    return { ok: false, errors: [{ sourceName, line: (shipment ?? d).line, column: (shipment ?? d).column, elementPath: (shipment ?? d).path, field: 'GovernmentAgencyGoodsItem', reason: 'an original declaration (FunctionCode 9) must declare at least one goods item', code: 'MISSING_ELEMENT' }] };
  }

  const importer = parties.find((p) => p.role === 'importer');
  const declaration = Declaration.fromPartial({
    lrn: txt(d, 'FunctionalReferenceID'),
    mrn: txt(d, 'ID'),
    functionCode,
    typeCode: txt(d, 'TypeCode'),
    acceptanceDate: isoDateOf(issue),
    acceptanceDateSource: issue ? 'issue_date' : '',
    parties,
    invoiceAmount: amount(child(d, 'InvoiceAmount')),
    exchangeRate: txt(d, 'CurrencyExchange', 'RateNumeric'),
    incoterm: txt(tradeTerms, 'ConditionCode'),
    deliveryLocation: txt(tradeTerms, 'LocationID') || txt(tradeTerms, 'LocationName'),
    adjustments: kids(child(shipment, 'CustomsValuation'), 'ChargeDeduction').map((c) => ({ code: txt(c, 'ChargesTypeCode'), amount: amount(child(c, 'OtherChargeDeductionAmount')) })),
    authorisations: kids(d, 'AuthorisationHolder').map((a) => ({ type: txt(a, 'CategoryCode'), holderId: txt(a, 'ID') })),
    additionalInformation: kids(d, 'AdditionalInformation').map(infoOf),
    previousDocuments: kids(shipment, 'PreviousDocument').map(previousOf),
    documents: headerDocs.filter((x) => txt(x, 'TypeCode') !== 'DAN').map(documentOf),
    fiscalReferences: kids(shipment, 'DomesticDutyTaxParty').map((p) => ({ role: txt(p, 'RoleCode'), vatId: txt(p, 'ID') })),
    defermentAccounts: headerDocs.filter((x) => txt(x, 'TypeCode') === 'DAN').map((x) => txt(x, 'ID')),
    representativeStatus: txt(agent, 'FunctionCode'),
    totalPackages: txt(d, 'TotalPackageQuantity'),
    totalGrossMassKg: txt(d, 'TotalGrossMassMeasure'),
    transportMode: txt(d, 'BorderTransportMeans', 'ModeCode'),
    items,
    sourceFormat: SourceFormat.SOURCE_FORMAT_DMS_XML,
    sourceName,
    contentSha256: createHash('sha256').update(bytes).digest('hex'),
    destinationCountry: txt(shipment, 'Destination', 'CountryCode'),
    goodsLocation: txt(shipment, 'Consignment', 'GoodsLocation', 'Name'),
    importerEori: importer?.id ?? '',
  });
  return { ok: true, declaration, warnings };
}

/** Offset and line of the first byte that starts an invalid UTF-8 sequence. */
function findInvalidUtf8(bytes: Buffer): { offset: number; line: number } {
  let line = 1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0a) line++;
    if (b < 0x80) continue;
    const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0) return { offset: i, line };
    const second = bytes[i + 1];
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second === undefined || second < lo || second > hi) return { offset: i, line };
    for (let k = 2; k < n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) return { offset: i, line };
    }
    i += n - 1;
  }
  return { offset: bytes.length, line };
}
