// HMRC's XSD check (xsd.ts, libxml2-wasm in a worker thread) on real HMRC samples and on copies
// mutated to break the schema, and the safety bounds around it.
import { createDmsDeclarationParser, parseDmsDeclaration, parseDmsDeclarationAsync } from './parse-dms';
import type { DmsParseResult, ParseIssue } from './types';
import { closeDmsSchemaCheck, configureDmsSchemaCheck, dmsSchemaCheckSettings, dmsSchemaCheckStats, validateDms, validateDmsAsync } from './xsd';
import { readSample } from './__fixtures__/corpus';
import { NS_META } from './__fixtures__/synthetic';

afterAll(() => closeDmsSchemaCheck());

const text = (file: string): string => readSample(file).toString('utf8');
const lineAt = (xml: string, needle: string): number => xml.slice(0, xml.indexOf(needle)).split('\n').length;
const ok = (r: DmsParseResult): Extract<DmsParseResult, { ok: true }> => {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
};
const rejection = (r: DmsParseResult): ParseIssue => {
  if (r.ok) throw new Error('expected a rejection');
  return r.errors[0]!;
};
// HMRC's annotation comments make up most of a sample item; repeated items leave them out.
const stripComments = (xml: string): string => xml.replace(/<!--[\s\S]*?-->\s*/g, '');
const xsdWarnings = (r: DmsParseResult): ParseIssue[] => ok(r).warnings.filter((w) => w.code.startsWith('XSD_'));

const IM001A = 'TT_IM001a/Step1_TT_IM001a.xml';
const IM017A = 'TT_IM017a/Step1_TT_IM017a.xml';
const IM192A = 'TT_IM192a/Step1_TT_IM192a.xml';
const LRN = '<FunctionalReferenceID>7847767E1WB6</FunctionalReferenceID>';
const LONG_LRN = `<FunctionalReferenceID>${'7847767E1WB6'.padEnd(36, 'X')}</FunctionalReferenceID>`;

describe('valid HMRC samples', () => {
  it('TT_IM001a validates whole and gives no schema issue', () => {
    const r = validateDms(readSample(IM001A));
    expect(r).toMatchObject({ status: 'valid', issues: [], omitted: 0, validated: 'MetaData', refusedLoads: [] });
    expect(xsdWarnings(parseDmsDeclaration(readSample(IM001A), { sourceName: IM001A }))).toEqual([]);
  });

  it("validates the MetaData inside HMRC's MDG envelope (TT_IM192a) as a subtree", () => {
    expect(validateDms(text(IM192A))).toMatchObject({ status: 'valid', validated: 'submitDeclarationRequest/requestDetail/MetaData' });
  });
});

describe('schema violations in an accepted declaration are XSD_INVALID warnings', () => {
  it('a too-long FunctionalReferenceID (LRN, max 35 characters): line, path, element and the facet', () => {
    const xml = text(IM001A).replace(LRN, LONG_LRN);
    const r = ok(parseDmsDeclaration(xml, { sourceName: 'mutated.xml' }));
    // Still ingested, with the value as declared: the schema only adds a warning.
    expect(r.declaration.lrn).toBe('7847767E1WB6XXXXXXXXXXXXXXXXXXXXXXXX');
    expect(xsdWarnings(r)).toEqual([
      {
        code: 'XSD_INVALID',
        sourceName: 'mutated.xml',
        line: lineAt(xml, LONG_LRN),
        column: 0,
        elementPath: 'MetaData/Declaration/FunctionalReferenceID',
        field: 'FunctionalReferenceID',
        reason: "Element 'FunctionalReferenceID': [facet 'maxLength'] The value has a length of '36'; this exceeds the allowed maximum length of '35'.",
      },
    ]);
  });

  it('an element out of order in the second goods item names that item', () => {
    const original = text(IM017A);
    const second = original.indexOf('<GovernmentAgencyGoodsItem>', original.indexOf('<GovernmentAgencyGoodsItem>') + 1);
    const seq = '<SequenceNumeric>2</SequenceNumeric>';
    const end = original.indexOf('</GovernmentAgencyGoodsItem>', second);
    // Move item 2's SequenceNumeric from first to last place: the parser reads it anyway, the schema does not allow it.
    const moved = original.slice(0, second) + original.slice(second, end).replace(seq, '') + `${seq}\n` + original.slice(end);
    const r = ok(parseDmsDeclaration(moved, { sourceName: 'order.xml' }));
    expect(r.declaration.items.map((i) => i.itemNumber)).toEqual([1, 2, 3]);
    // libxml2 reports where the order breaks: item 2's first AdditionalDocument, where SequenceNumeric was due.
    expect(xsdWarnings(r)).toEqual([
      expect.objectContaining({
        code: 'XSD_INVALID',
        field: 'AdditionalDocument',
        line: moved.slice(0, moved.indexOf('<AdditionalDocument>', second)).split('\n').length,
        elementPath: 'MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/AdditionalDocument[1]',
        reason: "Element 'AdditionalDocument': This element is not expected. Expected is one of ( CustomsValueAmount, SequenceNumeric ).",
      }),
    ]);
  });

  it('counts lines in the whole file for an enveloped declaration', () => {
    const original = text(IM192A);
    const xml = original.replace('<FunctionalReferenceID>U.78477677DUWR</FunctionalReferenceID>', `<FunctionalReferenceID>${'L'.repeat(40)}</FunctionalReferenceID>`);
    const [w, ...rest] = xsdWarnings(parseDmsDeclaration(xml, { sourceName: 'enveloped.xml' }));
    expect(rest).toEqual([]);
    expect(w).toMatchObject({
      field: 'FunctionalReferenceID',
      line: lineAt(xml, '<FunctionalReferenceID>'),
      elementPath: 'submitDeclarationRequest/requestDetail/MetaData/Declaration/FunctionalReferenceID',
    });
  });

  it('a streamed document gets the same check as a whole one', () => {
    const xml = Buffer.from(text(IM001A).replace(LRN, LONG_LRN), 'utf8');
    const p = createDmsDeclarationParser({ sourceName: 'mutated.xml' });
    for (let at = 0; at < xml.length; at += 1000) p.write(xml.subarray(at, at + 1000));
    expect(xsdWarnings(p.end())).toEqual(xsdWarnings(parseDmsDeclaration(xml, { sourceName: 'mutated.xml' })));
  });

  it('is switched off per call, and process-wide by configuration', () => {
    const xml = text(IM001A).replace(LRN, LONG_LRN);
    const sent = dmsSchemaCheckStats().documentsSent;
    expect(xsdWarnings(parseDmsDeclaration(xml, { sourceName: 'x', schemaCheck: false }))).toEqual([]);
    const before = dmsSchemaCheckSettings().enabled;
    configureDmsSchemaCheck({ enabled: false });
    try {
      expect(xsdWarnings(parseDmsDeclaration(xml, { sourceName: 'x' }))).toEqual([]);
    } finally {
      configureDmsSchemaCheck({ enabled: before });
    }
    expect(dmsSchemaCheckStats().documentsSent).toBe(sent);
    expect(xsdWarnings(parseDmsDeclaration(xml, { sourceName: 'x' }))).toHaveLength(1);
  });
});

describe('rejections quote libxml2', () => {
  it("TT_IM084a (not well-formed): the parser's rejection gains libxml2's parse error and line", () => {
    const e = rejection(parseDmsDeclaration(readSample('TT_IM084a/TT_IM084a.xml'), { sourceName: 'TT_IM084a.xml' }));
    expect(e).toMatchObject({ code: 'XML_NOT_WELL_FORMED', line: 164 });
    expect(e.reason).toContain('; libxml2 at line 164: Double hyphen within comment');
  });

  it("TT_IM222a (non-absolute namespaces): the rejection gains the schema's verdict on the root", () => {
    const e = rejection(parseDmsDeclaration(readSample('TT_IM222a/Step1_TT_IM222a.xml'), { sourceName: 'TT_IM222a.xml' }));
    expect(e.code).toBe('WRONG_NAMESPACE');
    expect(e.reason).toContain("HMRC WCO_DEC_2_DMS.xsd 2.15 (libxml2) at line 2: Element '{urnwcodatamodelWCODEC-DMS2}mdMetaData': No matching global declaration available for the validation root.");
  });

  it('md:MetaData without a Declaration: the schema says what it expected', () => {
    const e = rejection(parseDmsDeclaration(`<md:MetaData xmlns:md="${NS_META}"><md:WCOTypeName>DEC</md:WCOTypeName></md:MetaData>`, { sourceName: 'x' }));
    expect(e.code).toBe('MISSING_ELEMENT');
    expect(e.reason).toMatch(/; HMRC WCO_DEC_2_DMS\.xsd 2\.15 \(libxml2\) at line 1: Element 'md:MetaData': Missing child element\(s\)\./);
  });

  it("an MDG envelope without a declaration inside keeps the parser's reason: there is no envelope schema", () => {
    const env = '<v1:submitDeclarationRequest xmlns:v1="http://uk/gov/hmrc/mdg/declarationmanagement/submitdeclaration/request/schema/v1"><v1:requestDetail/></v1:submitDeclarationRequest>';
    expect(validateDms(env)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no schema for the envelope') });
    expect(rejection(parseDmsDeclaration(env, { sourceName: 'x' })).reason).toBe('the MDG envelope submitDeclarationRequest holds no md:MetaData (urn:wco:datamodel:WCO:DocumentMetaData-DMS:2)');
  });
});

describe('hostile input', () => {
  const xxe = `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<md:MetaData xmlns:md="${NS_META}"><Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><FunctionalReferenceID>&e;</FunctionalReferenceID></Declaration></md:MetaData>`;

  it('a DOCTYPE (XXE) document is refused by the parser before any schema work', () => {
    const sent = dmsSchemaCheckStats().documentsSent;
    const e = rejection(parseDmsDeclaration(xxe, { sourceName: 'evil.xml' }));
    expect(e.code).toBe('DTD_FORBIDDEN');
    expect(e.reason).not.toMatch(/libxml2/);
    expect(dmsSchemaCheckStats().documentsSent).toBe(sent);
  });

  it('validateDms on its own never hands a DOCTYPE to libxml2', () => {
    const sent = dmsSchemaCheckStats().documentsSent;
    const r = validateDms(xxe);
    expect(r).toMatchObject({ status: 'skipped', issues: [], refusedLoads: [], reason: 'the document has a DOCTYPE, which is never passed to the XML schema validator' });
    expect(JSON.stringify(r)).not.toMatch(/root:/);
    expect(dmsSchemaCheckStats().documentsSent).toBe(sent);
  });

  it('fetches nothing a document points at (schemaLocation hints, XInclude)', () => {
    const xml = text(IM001A)
      .replace('xsi:schemaLocation="', 'xsi:schemaLocation="urn:wco:datamodel:WCO:DEC-DMS:2 http://attacker.example/evil.xsd ')
      .replace(LRN, `${LRN}<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>`);
    const r = validateDms(xml);
    expect(r.refusedLoads).toEqual([]);
    // The XInclude element is just an element the schema does not allow; nothing was included.
    expect(r.status).toBe('invalid');
    expect(r.issues.map((i) => i.element)).toEqual(['include']);
    expect(JSON.stringify(r)).not.toMatch(/root:/);
  });

  it('input over the size limit is refused before parsing, and never reaches the validator', () => {
    const sent = dmsSchemaCheckStats().documentsSent;
    expect(rejection(parseDmsDeclaration(readSample(IM001A), { sourceName: 'x', maxBytes: 2000 })).code).toBe('TOO_LARGE');
    expect(validateDms(readSample(IM001A), { maxBytes: 2000 })).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^the document is \d+ bytes; the schema check reads at most 2000$/) });
    expect(dmsSchemaCheckStats().documentsSent).toBe(sent);
  });

  it('lists at most maxIssues schema errors and counts the rest', () => {
    // 1,500 goods items, each with an over-long description (max 512): ~1.5 MiB, 1,500 schema errors,
    // of which libxml2 reports the first 1,000.
    const original = text(IM001A);
    const item = /<GovernmentAgencyGoodsItem>[\s\S]*?<\/GovernmentAgencyGoodsItem>/.exec(original)![0];
    const bad = stripComments(item).replace(/<Description>[^<]*<\/Description>/, `<Description>${'d'.repeat(600)}</Description>`);
    const xml = original.replace(item, bad.repeat(1500));
    const r = ok(parseDmsDeclaration(xml, { sourceName: 'many.xml' }));
    const warnings = xsdWarnings(r);
    expect(warnings).toHaveLength(dmsSchemaCheckSettings().maxIssues + 1);
    expect(warnings[0]).toMatchObject({ field: 'Description', elementPath: 'MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/Commodity/Description' });
    expect(warnings[99]).toMatchObject({ elementPath: 'MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[100]/Commodity/Description' });
    expect(warnings[100]).toMatchObject({ line: 0, reason: 'at least 900 further HMRC WCO_DEC_2_DMS.xsd 2.15 errors were not listed (libxml2 reports at most 1000 per document)' });
    // Under libxml2's own limit the count is exact.
    const fewer = xsdWarnings(parseDmsDeclaration(original.replace(item, bad.repeat(150)), { sourceName: 'fewer.xml' }));
    expect(fewer).toHaveLength(101);
    expect(fewer[100]!.reason).toBe('50 further HMRC WCO_DEC_2_DMS.xsd 2.15 errors were not listed');
  });

  it('abandons a validation that exceeds its time limit, and recovers for the next document', () => {
    const original = text(IM001A);
    const item = /<GovernmentAgencyGoodsItem>[\s\S]*?<\/GovernmentAgencyGoodsItem>/.exec(original)![0];
    const big = original.replace(item, stripComments(item).repeat(3000));
    validateDms(readSample(IM001A)); // the worker is up: the limit applies to the validation alone
    const r = validateDms(big, { timeoutMs: 1 });
    expect(r).toMatchObject({ status: 'skipped', reason: 'the schema check did not finish within 1 ms' });
    expect(validateDms(readSample(IM001A)).status).toBe('valid');
  });

  it('an accepted declaration whose check timed out says so in an XSD_UNCHECKED warning', () => {
    const before = dmsSchemaCheckSettings().timeoutMs;
    const original = text(IM001A);
    const item = /<GovernmentAgencyGoodsItem>[\s\S]*?<\/GovernmentAgencyGoodsItem>/.exec(original)![0];
    const big = original.replace(item, stripComments(item).repeat(3000));
    validateDms(readSample(IM001A));
    configureDmsSchemaCheck({ timeoutMs: 1 });
    try {
      const r = ok(parseDmsDeclaration(big, { sourceName: 'big.xml' }));
      expect(r.declaration.items).toHaveLength(3000);
      expect(xsdWarnings(r)).toEqual([
        expect.objectContaining({ code: 'XSD_UNCHECKED', line: 0, reason: 'not checked against HMRC WCO_DEC_2_DMS.xsd 2.15: the schema check did not finish within 1 ms' }),
      ]);
    } finally {
      configureDmsSchemaCheck({ timeoutMs: before });
    }
  });
});

// The service's way (parse/dms parseDmsDeclarationAsync, used by app/formats.ts): the same answers,
// without holding the event loop while libxml2 works.
describe('asynchronous check (the service path)', () => {
  const samples: [string, string][] = [
    ['valid sample', text(IM001A)],
    ['too-long LRN', text(IM001A).replace(LRN, LONG_LRN)],
    ['enveloped sample', text(IM192A)],
    ['malformed TT_IM084a', text('TT_IM084a/TT_IM084a.xml')],
    ['wrong namespace TT_IM222a', text('TT_IM222a/Step1_TT_IM222a.xml')],
  ];
  it.each(samples)('%s: same result as the synchronous parser', async (_name, xml) => {
    expect(await parseDmsDeclarationAsync(xml, { sourceName: 'x.xml' })).toEqual(parseDmsDeclaration(xml, { sourceName: 'x.xml' }));
  });

  it('lets the event loop run while a document is validated', async () => {
    const original = text(IM001A);
    const item = /<GovernmentAgencyGoodsItem>[\s\S]*?<\/GovernmentAgencyGoodsItem>/.exec(original)![0];
    const big = original.replace(item, stripComments(item).repeat(300));
    await validateDmsAsync(readSample(IM001A)); // the worker is up
    const order: string[] = [];
    const check = validateDmsAsync(big).then((r) => order.push(`validated:${r.status}`));
    setImmediate(() => order.push('event loop'));
    await check;
    // A synchronous wait would have answered before the event loop turned.
    expect(order).toEqual(['event loop', 'validated:valid']);
  });

  it('abandons a check past its time limit, answers it skipped, and recovers for the next document', async () => {
    const original = text(IM001A);
    const item = /<GovernmentAgencyGoodsItem>[\s\S]*?<\/GovernmentAgencyGoodsItem>/.exec(original)![0];
    const big = original.replace(item, stripComments(item).repeat(3000));
    await validateDmsAsync(readSample(IM001A));
    expect(await validateDmsAsync(big, { timeoutMs: 1 })).toMatchObject({ status: 'skipped', reason: 'the schema check did not finish within 1 ms' });
    expect((await validateDmsAsync(readSample(IM001A))).status).toBe('valid');
  });

  it('never hands a DOCTYPE or an oversize document to libxml2', async () => {
    const sent = dmsSchemaCheckStats().documentsSent;
    expect(await validateDmsAsync(`<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>`)).toMatchObject({
      status: 'skipped',
      reason: 'the document has a DOCTYPE, which is never passed to the XML schema validator',
    });
    expect(await validateDmsAsync(readSample(IM001A), { maxBytes: 2000 })).toMatchObject({ status: 'skipped' });
    expect(dmsSchemaCheckStats().documentsSent).toBe(sent);
  });
});
