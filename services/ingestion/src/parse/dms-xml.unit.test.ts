import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES } from '@customs/testing';
import { parseDmsDeclaration, type DmsParseResult } from './dms-xml';

function allXml(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...allXml(p));
    else if (/\.xml$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

const parse = (rel: string): DmsParseResult => parseDmsDeclaration(fs.readFileSync(path.join(HMRC_SAMPLES, rel)), { sourceName: rel });
const ok = (rel: string) => {
  const r = parse(rel);
  if (!r.ok) throw new Error(`${rel} rejected: ${JSON.stringify(r.errors)}`);
  return r.declaration;
};
const sampleOf = (dir: string) => fs.readdirSync(path.join(HMRC_SAMPLES, dir)).filter((f) => /\.xml$/i.test(f) && !/notification|DMS/i.test(f));

describe('DMS XML parser on HMRC’s annotated sample corpus', () => {
  const files = allXml(HMRC_SAMPLES);
  const results = files.map((f) => ({ f: path.relative(HMRC_SAMPLES, f), r: parseDmsDeclaration(fs.readFileSync(f), { sourceName: path.relative(HMRC_SAMPLES, f) }) }));
  const declarations = results.filter((x) => x.r.ok);
  const rejected = results.filter((x) => !x.r.ok) as { f: string; r: Extract<DmsParseResult, { ok: false }> }[];

  it('accepts every declaration and classifies every other file precisely', () => {
    const byCode: Record<string, number> = {};
    for (const x of rejected) byCode[x.r.errors[0]!.code] = (byCode[x.r.errors[0]!.code] ?? 0) + 1;
    // Everything rejected is a notification/response, or one of the two known-bad samples.
    const unexpected = rejected.filter((x) => x.r.errors[0]!.code !== 'NOT_A_DECLARATION' && !/TT_IM084a|TT_IM222a/.test(x.f));
    expect(unexpected.map((x) => `${x.f}: ${x.r.errors[0]!.reason}`)).toEqual([]);
    expect(declarations.length).toBeGreaterThanOrEqual(239);
  });

  it('maps the core data elements on every accepted original declaration', () => {
    for (const { f, r } of declarations) {
      if (!r.ok) continue;
      const d = r.declaration;
      expect(d.typeCode).toMatch(/^IM[A-Z]$|^CO[A-Z]$|^[A-Z]{3}$/);
      if (d.functionCode !== '9') continue;
      expect({ f, items: d.items.length > 0 }).toEqual({ f, items: true });
      for (const item of d.items) {
        // A 10-digit code, or a warning naming the item's DE 6/14 (simplified/low-value data sets).
        const warned = r.warnings.some((w) => w.field.startsWith('DE 6/14') && w.reason.includes(`item ${item.itemNumber}`));
        expect({ f, code: /^\d{10}$/.test(item.commodityCode) || warned }).toEqual({ f, code: true });
        expect({ f, cpc: /^\d{4}$/.test(item.procedureCode) }).toEqual({ f, cpc: true });
      }
      expect(d.contentSha256).toMatch(/^[0-9a-f]{64}$/);
      // IssueDateTime is optional in DMS; when absent ingestion records the receipt date.
      expect(d.acceptanceDate).toMatch(/^(\d{4}-\d{2}-\d{2})?$/);
    }
  });

  it('TT_IM001a: shavers parts from the US, £1,000, MFN, CPC 4000/000, deferment account', () => {
    const d = ok(`TT_IM001a/${sampleOf('TT_IM001a')[0]}`);
    expect(d).toMatchObject({ functionCode: '9', typeCode: 'IMA', lrn: '7847767E1WB6', defermentAccounts: ['1108654'], representativeStatus: '2', transportMode: '1' });
    expect(d.parties.find((p) => p.role === 'declarant')?.id).toBe('GB603202734852');
    const item = d.items[0]!;
    expect(item.commodityCode).toMatch(/^8510/);
    expect(item).toMatchObject({ procedureCode: '4000', additionalProcedureCodes: ['000'], preference: '100' });
    expect(item.itemPrice).toEqual({ value: '1000', currency: 'GBP' });
    expect(item.taxLines.map((t) => t.taxType)).toEqual(expect.arrayContaining(['A00', 'B00']));
  });

  it('TT_IM031a: sparkling wine, preference 300 from TN, X333 national code, N935 invoice', () => {
    const item = ok('TT_IM031a/TT_IM031a.xml').items[0]!;
    expect(item).toMatchObject({ commodityCode: '2204109400', preference: '300', preferentialOrigin: 'TN', supplementaryUnits: '85', netMassKg: '100', grossMassKg: '110' });
    expect(item.additionalCodes).toContain('X333');
    expect(item.documents).toContainEqual({ code: 'N935', reference: '12345/13.08.2023', status: 'AC', reason: '' });
    expect(item.previousDocuments).toContainEqual({ category: 'Y', type: 'SDE', reference: '23GBCDS123456789R1', line: '1' });
  });

  it('multi-item declarations keep every item in order', () => {
    const d = ok(`TT_IM017a/${sampleOf('TT_IM017a')[0]}`);
    expect(d.items.map((i) => i.itemNumber)).toEqual([1, 2, 3]);
  });

  it('unwraps HMRC’s internal MDG envelope', () => {
    const d = ok(`TT_IM133a/Step1_TT_IM133a.xml`);
    expect(d.items.length).toBeGreaterThan(0);
  });

  it('rejects TT_IM084a as not well-formed, naming the line', () => {
    const r = parse('TT_IM084a/TT_IM084a.xml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ code: 'XML_NOT_WELL_FORMED', sourceName: 'TT_IM084a/TT_IM084a.xml' });
    expect(r.errors[0]!.line).toBe(164);
  });

  it('rejects TT_IM222a for its non-absolute namespace URIs', () => {
    const f = sampleOf('TT_IM222a').find((x) => x.startsWith('Step1'))!;
    const r = parse(`TT_IM222a/${f}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'WRONG_NAMESPACE', reason: expect.stringContaining('urnwcodatamodel') });
  });
});

describe('DMS XML parser on hostile and malformed input', () => {
  const wrap = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2" xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><Declaration><FunctionCode>9</FunctionCode><TypeCode>IMA</TypeCode>${inner}</Declaration></md:MetaData>`;
  const item = '<GoodsShipment><GovernmentAgencyGoodsItem><SequenceNumeric>1</SequenceNumeric><Commodity><Description>X</Description><Classification><ID>61091000</ID><IdentificationTypeCode>TSP</IdentificationTypeCode></Classification><Classification><ID>00</ID><IdentificationTypeCode>TRC</IdentificationTypeCode></Classification></Commodity><GovernmentProcedure><CurrentCode>40</CurrentCode><PreviousCode>00</PreviousCode></GovernmentProcedure></GovernmentAgencyGoodsItem></GoodsShipment>';
  const code = (r: DmsParseResult) => (r.ok ? 'ok' : r.errors[0]!.code);

  it('accepts a minimal valid declaration', () => {
    const r = parseDmsDeclaration(wrap(item), { sourceName: 'min.xml' });
    expect(r.ok && r.declaration.items[0]!.commodityCode).toBe('6109100000');
  });

  it('refuses a DOCTYPE with an external entity (XXE) without reading it', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2">&e;</md:MetaData>`;
    expect(code(parseDmsDeclaration(xxe, { sourceName: 'xxe.xml' }))).toBe('DTD_FORBIDDEN');
  });

  it('refuses entity expansion (billion laughs)', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    expect(code(parseDmsDeclaration(lol, { sourceName: 'lol.xml' }))).toBe('DTD_FORBIDDEN');
  });

  it('refuses invalid UTF-8, naming the byte offset', () => {
    const bytes = Buffer.concat([Buffer.from(wrap(item).slice(0, 120)), Buffer.from([0xc3, 0x28]), Buffer.from(wrap(item).slice(120))]);
    const r = parseDmsDeclaration(bytes, { sourceName: 'bad.xml' });
    expect(code(r)).toBe('INVALID_ENCODING');
    if (!r.ok) expect(r.errors[0]!.reason).toMatch(/byte offset 120/);
  });

  it('refuses UTF-16 and non-UTF-8 declared encodings', () => {
    expect(code(parseDmsDeclaration(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(wrap(item), 'utf16le')]), { sourceName: 'u16.xml' }))).toBe('INVALID_ENCODING');
    expect(code(parseDmsDeclaration(wrap(item).replace('UTF-8', 'ISO-8859-1'), { sourceName: 'latin.xml' }))).toBe('INVALID_ENCODING');
  });

  it('refuses oversized documents and over-long fields', () => {
    expect(code(parseDmsDeclaration(wrap(item), { sourceName: 'big.xml', maxBytes: 100 }))).toBe('TOO_LARGE');
    expect(code(parseDmsDeclaration(wrap(`<FunctionalReferenceID>${'A'.repeat(70_000)}</FunctionalReferenceID>${item}`), { sourceName: 'long.xml' }))).toBe('FIELD_TOO_LONG');
  });

  it('refuses a foreign namespace, truncated XML, non-XML and a notification', () => {
    expect(code(parseDmsDeclaration('<Declaration xmlns="urn:example:other"><FunctionCode>9</FunctionCode></Declaration>', { sourceName: 'ns.xml' }))).toBe('WRONG_NAMESPACE');
    expect(code(parseDmsDeclaration(wrap(item).slice(0, 200), { sourceName: 'cut.xml' }))).toBe('XML_NOT_WELL_FORMED');
    expect(code(parseDmsDeclaration('MRN,LRN\n1,2', { sourceName: 'x.csv' }))).toBe('XML_NOT_WELL_FORMED');
    const note = '<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"><md:WCOTypeName>RES</md:WCOTypeName><Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2"/></md:MetaData>';
    expect(code(parseDmsDeclaration(note, { sourceName: 'n.xml' }))).toBe('NOT_A_DECLARATION');
  });

  it('refuses an original declaration without goods items', () => {
    expect(code(parseDmsDeclaration(wrap(''), { sourceName: 'empty.xml' }))).toBe('MISSING_ELEMENT');
  });

  it('keeps injection strings as inert data', () => {
    const r = parseDmsDeclaration(wrap(`<FunctionalReferenceID>'; DROP TABLE declarations;--</FunctionalReferenceID>${item.replace('<Description>X', '<Description>=cmd|&apos; /C calc&apos;!A0')}`), { sourceName: 'inj.xml' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.declaration.lrn).toBe("'; DROP TABLE declarations;--");
    expect(r.declaration.items[0]!.description).toBe("=cmd|' /C calc'!A0");
  });
});
