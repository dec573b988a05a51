// Safe, streaming reader for DMS XML. It takes bytes (or strings) in chunks and, in one pass,
// enforces the size / encoding / DTD / field-length limits, recognises what kind of document it
// is (declaration, MDG-enveloped declaration, DMS notification, something else), and keeps only
// the Declaration elements listed in spec.ts as a small tree. Linear in the input; no DOM library.
import { createHash, type Hash } from 'node:crypto';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { DECLARATION_SPEC, type Spec } from './spec';
import type { DmsParseOptions, ParseIssue, ParseIssueCode } from './types';

export const NS_META = 'urn:wco:datamodel:WCO:DocumentMetaData-DMS:2';
export const NS_DEC = 'urn:wco:datamodel:WCO:DEC-DMS:2';
export const NS_RES = 'urn:wco:datamodel:WCO:RES-DMS:2';
export const NS_MDG = 'http://uk/gov/hmrc/mdg/declarationmanagement/submitdeclaration/request/schema/v1';

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_FIELD_CHARS = 64 * 1024;
export const DEFAULT_MAX_DEPTH = 128;

/** DMS notification names by Response/FunctionCode, as HMRC's example notifications are named. */
const NOTIFICATION_NAMES: Readonly<Record<string, string>> = {
  '01': 'DMSACC',
  '02': 'DMSRCV',
  '03': 'DMSREJ',
  '05': 'DMSCTL',
  '06': 'DMSDOC',
  '07': 'DMSRES',
  '08': 'DMSROG',
  '09': 'DMSCLE',
  '10': 'DMSINV',
  '11': 'DMSREQ',
  '13': 'DMSTAX',
  '14': 'DMSCPI',
  '15': 'DMSCPR',
  '16': 'DMSEOG',
  '18': 'DMSGER',
};

/** A kept element of the Declaration subtree. */
export interface XNode {
  readonly name: string;
  readonly parent: XNode | null;
  readonly spec: Spec;
  /** 1-based occurrence among same-named siblings; 0 until a path that needs it is rendered. */
  index: number;
  readonly line: number;
  readonly column: number;
  /** Attributes by local name (leaves only), e.g. currencyID, unitCode, formatCode. */
  readonly attrs: Readonly<Record<string, string>>;
  /** Trimmed text (leaves only). */
  text: string;
  readonly children: XNode[];
}

export type ReadResult = { ok: true; declaration: XNode; basePath: string; sha256: string } | { ok: false; error: ParseIssue };

const EMPTY_ATTRS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * saxes stores each handler with a keyed store (`this[name] = handler`) when on() is first called
 * for it. With the eight handlers used here V8 then gives up on the parser object's hidden class
 * and turns it into a dictionary, and saxes runs 4-5x slower (measured: ~1,000 vs ~7,700 HMRC
 * samples/s). Creating every handler slot in the constructor keeps the object's shape fast.
 */
class FastSaxesParser extends SaxesParser<{ xmlns: true; position: true }> {
  constructor() {
    super({ xmlns: true, position: true });
    const slots = this as unknown as Record<string, unknown>;
    slots.xmldeclHandler = undefined;
    slots.textHandler = undefined;
    slots.piHandler = undefined;
    slots.doctypeHandler = undefined;
    slots.commentHandler = undefined;
    slots.openTagStartHandler = undefined;
    slots.attributeHandler = undefined;
    slots.openTagHandler = undefined;
    slots.closeTagHandler = undefined;
    slots.cdataHandler = undefined;
    slots.errorHandler = undefined;
    slots.endHandler = undefined;
    slots.readyHandler = undefined;
  }
}
/** Feeding saxes in slices lets a rejection (DTD, notification, oversize field) stop the work early. */
const SLICE_CHARS = 256 * 1024;
/** Thrown by a saxes handler once the document is rejected, to stop saxes mid-slice. */
const STOPPED = Symbol('rejected');

/** Where the first invalid UTF-8 sequence starts in `bytes`, or -1 (a sequence cut off at the end counts as valid here). */
export function findInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0) return i;
    // Overlong forms, surrogates and code points above U+10FFFF are excluded through the second byte's range.
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k];
      if (c === undefined) return -1;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += n - 1;
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/**
 * Incremental reader: call write() with each chunk, then end(). After the first error further
 * chunks are only counted and hashed, never parsed.
 */
export class DmsReader {
  private readonly sourceName: string;
  private readonly maxBytes: number;
  private readonly maxField: number;
  private readonly maxDepth: number;
  private readonly hash: Hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly parser = new FastSaxesParser();
  private bytes = 0;
  private firstBytes: number[] = [];
  private tailBytes: Uint8Array = new Uint8Array(0);
  private carriedSurrogate = '';
  private error: ParseIssue | null = null;
  private asciiOnly = false;
  private ended = false;

  // Document structure.
  private depth = 0;
  private readonly names: string[] = [];
  private startLine = 0;
  private startColumn = 0;
  private rootLocal = '';
  private rootQName = '';
  private rootNs = '';
  private rootDeclaredNs: string[] = [];
  private envelope = false;
  /** Depth of the accepted md:MetaData element, or -1. */
  private metaDepth = -1;
  private wcoTypeName = '';
  private wcoTypeCapture = false;
  private response: { line: number; column: number; path: string; functionCode: string; capture: boolean; done: boolean } | null = null;

  // Declaration subtree.
  private decl: XNode | null = null;
  private declClosed = false;
  private basePath = '';
  private readonly stack: XNode[] = [];
  private skipDepth = 0;
  /** Text of the open leaf (null outside leaves). Bounded by maxField, so += stays cheap. */
  private leafText: string | null = null;
  private textLen = 0;

  constructor(opts: DmsParseOptions) {
    this.sourceName = opts.sourceName;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxField = opts.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    const p = this.parser;
    // Every handler stops saxes the moment the document is rejected (stopIfFailed throws out of
    // parser.write): saxes would otherwise read the rest of the slice, and past the depth cap each
    // unprefixed open tag walks the whole tag stack for its namespace — 100,000 nested elements
    // held the thread for over a minute after the rejection.
    p.on('xmldecl', (d) => {
      this.onXmlDecl(d.encoding);
      this.stopIfFailed();
    });
    p.on('doctype', () => {
      this.fail(
        'DTD_FORBIDDEN',
        'DOCTYPE',
        'a DOCTYPE / DTD is not accepted: entity declarations enable XXE and entity-expansion ("billion laughs") attacks, and DMS declarations never need one',
        p.line,
        p.column,
      );
      this.stopIfFailed();
    });
    p.on('error', (e) => {
      this.fail('XML_NOT_WELL_FORMED', '(xml)', e.message.replace(/^[^:]*:\d+:\d+: /, ''), p.line, p.column);
      this.stopIfFailed();
    });
    p.on('opentagstart', (t) => {
      this.startLine = p.line;
      this.startColumn = Math.max(1, p.column - t.name.length - 1);
    });
    p.on('opentag', (t) => {
      this.onOpen(t);
      this.stopIfFailed();
    });
    p.on('closetag', () => {
      this.onClose();
      this.stopIfFailed();
    });
    p.on('text', (t) => {
      this.onText(t);
      this.stopIfFailed();
    });
    p.on('cdata', (t) => {
      this.onText(t);
      this.stopIfFailed();
    });
  }

  /** Called after each saxes handler: once rejected, unwinds out of saxes (caught in write/close). */
  private stopIfFailed(): void {
    if (this.error) throw STOPPED;
  }

  /** Runs saxes (write or close), ending quietly when a handler stopped it. */
  private run(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e !== STOPPED) throw e;
    }
  }

  /** Feeds the next chunk (bytes, or a string which is hashed and counted as its UTF-8 bytes). */
  write(chunk: Uint8Array | string): void {
    if (this.ended) throw new Error('DmsReader.write() after end()');
    let bytes: Uint8Array;
    if (typeof chunk === 'string') {
      // A string chunk may end in the first half of a surrogate pair; carry it to the next chunk.
      let s = this.carriedSurrogate + chunk;
      this.carriedSurrogate = '';
      const last = s.charCodeAt(s.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.carriedSurrogate = s.slice(-1);
        s = s.slice(0, -1);
      }
      if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        this.count(Buffer.from(s, 'utf8'));
        return this.fail('INVALID_ENCODING', 'encoding', 'the text contains an unpaired UTF-16 surrogate, so it cannot be UTF-8 encoded', this.parser.line, 0);
      }
      bytes = Buffer.from(s, 'utf8');
    } else {
      bytes = chunk;
    }
    if (!this.count(bytes) || this.error) return;
    this.decode(bytes, false);
  }

  /** Finishes the document and says what was read. */
  end(): ReadResult {
    if (!this.ended) {
      this.ended = true;
      if (this.carriedSurrogate && !this.error) {
        this.count(Buffer.from(this.carriedSurrogate, 'utf8'));
        this.fail('INVALID_ENCODING', 'encoding', 'the text ends with an unpaired UTF-16 surrogate', this.parser.line, 0);
      }
      if (!this.error) this.decode(new Uint8Array(0), true);
      if (!this.error) {
        if (this.bytes === 0) this.fail('XML_NOT_WELL_FORMED', '(document)', 'the document is empty', 0, 0);
        else this.run(() => this.parser.close());
      }
      if (!this.error) this.classifyAtEnd();
    }
    const sha256 = this.hash.digest('hex');
    if (this.error) return { ok: false, error: this.error };
    return { ok: true, declaration: this.decl!, basePath: this.basePath, sha256 };
  }

  /** True once the document has been rejected: further chunks are not parsed. */
  get failed(): boolean {
    return this.error !== null;
  }

  private count(bytes: Uint8Array): boolean {
    this.bytes += bytes.length;
    // After a rejection the hash is never reported, so stop paying for it.
    if (!this.error) this.hash.update(bytes);
    if (this.firstBytes.length < 4) for (let i = 0; i < bytes.length && this.firstBytes.length < 4; i++) this.firstBytes.push(bytes[i]!);
    if (this.bytes > this.maxBytes) {
      this.fail('TOO_LARGE', '(document)', `the document exceeds the limit of ${this.maxBytes} bytes`, 0, 0);
      return false;
    }
    return true;
  }

  private decode(bytes: Uint8Array, flush: boolean): void {
    const f = this.firstBytes;
    if ((f[0] === 0xfe && f[1] === 0xff) || (f[0] === 0xff && f[1] === 0xfe) || (f[0] === 0x00 && f[1] === 0x3c) || (f[0] === 0x3c && f[1] === 0x00)) {
      return this.fail('INVALID_ENCODING', 'encoding', 'the document is UTF-16 encoded; only UTF-8 (or US-ASCII) is accepted', 1, 1);
    }
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: !flush });
    } catch {
      const scan = new Uint8Array(this.tailBytes.length + bytes.length);
      scan.set(this.tailBytes, 0);
      scan.set(bytes, this.tailBytes.length);
      const tail = this.tailBytes.length;
      const at = findInvalidUtf8(scan);
      const offset = at < 0 ? this.bytes - tail : this.bytes - bytes.length - tail + at;
      // saxes has seen everything before this chunk; add the newlines of this chunk up to the bad byte.
      const line = this.parser.line + (at > tail ? countNewlines(scan.subarray(tail), at - tail) : 0);
      return this.fail('INVALID_ENCODING', 'encoding', at < 0 ? 'the document ends inside a UTF-8 multi-byte sequence' : `invalid UTF-8 byte sequence at byte offset ${offset}`, line, 0);
    }
    // Keep the last 3 bytes seen: an invalid sequence found in the next chunk may have started in them.
    if (bytes.length >= 3) this.tailBytes = bytes.slice(bytes.length - 3);
    else if (bytes.length > 0) {
      const joined = new Uint8Array(this.tailBytes.length + bytes.length);
      joined.set(this.tailBytes, 0);
      joined.set(bytes, this.tailBytes.length);
      this.tailBytes = joined.slice(Math.max(0, joined.length - 3));
    }
    this.feed(text);
  }

  private feed(text: string): void {
    for (let start = 0; start < text.length && !this.error; ) {
      let end = Math.min(text.length, start + SLICE_CHARS);
      const c = text.charCodeAt(end - 1);
      if (end < text.length && c >= 0xd800 && c <= 0xdbff) end++;
      const slice = start === 0 && end === text.length ? text : text.slice(start, end);
      this.run(() => this.parser.write(slice));
      if (this.asciiOnly && !this.error && /[^\x00-\x7f]/.test(slice)) {
        this.fail('INVALID_ENCODING', 'encoding', 'the document declares encoding US-ASCII but contains non-ASCII characters', this.parser.line, 0);
      }
      start = end;
    }
  }

  private onXmlDecl(encoding: string | undefined): void {
    if (encoding === undefined) return;
    if (/^utf-8$/i.test(encoding)) return;
    if (/^us-ascii$/i.test(encoding)) {
      this.asciiOnly = true;
      return;
    }
    this.fail('INVALID_ENCODING', 'encoding', `declared encoding "${encoding}" is not accepted; send UTF-8`, this.parser.line, 1);
  }

  private fail(code: ParseIssueCode, field: string, reason: string, line = this.startLine, column = this.startColumn, elementPath?: string): void {
    if (this.error) return;
    this.error = { sourceName: this.sourceName, line, column, elementPath: elementPath ?? (this.names.join('/') || '(document)'), field, reason, code };
  }

  private onOpen(t: SaxesTagNS): void {
    if (this.error) return;
    const depth = this.depth++;
    this.names.push(t.local);
    this.textLen = 0;
    if (this.depth > this.maxDepth) return this.fail('TOO_LARGE', t.local, `elements nest deeper than ${this.maxDepth} levels`);
    for (const key in t.attributes) {
      const a = t.attributes[key]!;
      if (a.value.length > this.maxField) return this.fail('FIELD_TOO_LONG', `@${a.name}`, `attribute value is ${a.value.length} characters; the limit is ${this.maxField}`);
    }

    if (this.decl !== null && !this.declClosed) return this.openInDeclaration(t);
    if (depth === 0) return this.openRoot(t);

    // Notifications: MetaData (any or no namespace) holding a Response.
    if (depth === 1 && t.local === 'Response' && !this.envelope) {
      this.response = { line: this.startLine, column: this.startColumn, path: this.names.join('/'), functionCode: '', capture: false, done: false };
      return;
    }
    if (this.response && !this.response.done && depth === 2 && t.local === 'FunctionCode') {
      this.response.capture = true;
      return;
    }
    if (depth === 1 && t.local === 'WCOTypeName') this.wcoTypeCapture = true;

    if (this.envelope && this.metaDepth < 0 && t.local === 'MetaData') {
      if (t.uri !== NS_META) return this.fail('WRONG_NAMESPACE', t.name, `md:MetaData inside the MDG envelope is in namespace ${describeNs(t.uri)}; expected ${NS_META}`);
      this.metaDepth = depth;
      return;
    }
    if (this.metaDepth >= 0 && depth === this.metaDepth + 1 && t.local === 'Declaration') {
      if (t.uri !== NS_DEC) return this.fail('WRONG_NAMESPACE', t.name, `Declaration is in namespace ${describeNs(t.uri)}; expected ${NS_DEC}`);
      // Ignoring a second declaration would silently drop it; one document carries one declaration.
      if (this.decl !== null) return this.fail('NOT_A_DECLARATION', t.name, 'md:MetaData holds more than one Declaration; send one declaration per document');
      this.startDeclaration(t);
    }
  }

  private openRoot(t: SaxesTagNS): void {
    this.rootLocal = t.local;
    this.rootQName = t.name;
    this.rootNs = t.uri;
    for (const key in t.attributes) {
      const a = t.attributes[key]!;
      if (a.name === 'xmlns' || a.prefix === 'xmlns') this.rootDeclaredNs.push(a.value);
    }
    if (t.local === 'submitDeclarationRequest' && t.uri === NS_MDG) {
      this.envelope = true;
    } else if (t.local === 'MetaData' && t.uri === NS_META) {
      this.metaDepth = 0;
    } else if (t.local === 'Declaration' && t.uri === NS_DEC) {
      this.startDeclaration(t);
    } else if (t.local === 'Response' || t.uri === NS_RES) {
      this.response = { line: this.startLine, column: this.startColumn, path: t.local, functionCode: '', capture: false, done: false };
    } else if (t.local === 'Declaration') {
      this.fail('WRONG_NAMESPACE', t.name, `root element ${t.name} is in namespace ${describeNs(t.uri)}; expected ${NS_DEC}`);
    }
    // Anything else (non-namespaced MetaData, DIS responses, movement messages) is decided at the end,
    // once we know whether it holds a notification Response.
  }

  private startDeclaration(t: SaxesTagNS): void {
    this.basePath = this.names.slice(0, -1).join('/');
    const node: XNode = { name: t.local, parent: null, spec: DECLARATION_SPEC, index: 1, line: this.startLine, column: this.startColumn, attrs: EMPTY_ATTRS, text: '', children: [] };
    this.decl = node;
    this.stack.push(node);
  }

  private openInDeclaration(t: SaxesTagNS): void {
    if (this.skipDepth > 0) {
      this.skipDepth++;
      return;
    }
    const parent = this.stack[this.stack.length - 1]!;
    const spec = parent.spec.kids?.get(t.local);
    if (spec === undefined) {
      // Not used by the canonical model (or unknown): skip it and everything below it.
      this.skipDepth = 1;
      return;
    }
    let attrs = EMPTY_ATTRS;
    if (spec.leaf) {
      // Attribute names come from the input: a null-prototype object cannot be polluted by "__proto__".
      const collected = Object.create(null) as Record<string, string>;
      let any = false;
      for (const key in t.attributes) {
        const a = t.attributes[key]!;
        if (a.name === 'xmlns' || a.prefix === 'xmlns' || a.prefix === 'xsi') continue;
        collected[a.local] = a.value;
        any = true;
      }
      if (any) attrs = collected;
      this.leafText = '';
    }
    const node: XNode = { name: t.local, parent, spec, index: 0, line: this.startLine, column: this.startColumn, attrs, text: '', children: [] };
    parent.children.push(node);
    this.stack.push(node);
  }

  private onText(t: string): void {
    if (this.error) return;
    this.textLen += t.length;
    if (this.textLen > this.maxField) {
      return this.fail('FIELD_TOO_LONG', this.names[this.names.length - 1] ?? '(text)', `text is longer than ${this.maxField} characters`, this.parser.line, this.parser.column);
    }
    if (this.leafText !== null && this.skipDepth === 0) this.leafText += t;
    else if (this.wcoTypeCapture) this.wcoTypeName += t;
    else if (this.response?.capture) this.response.functionCode += t;
  }

  private onClose(): void {
    if (this.error) return;
    this.depth--;
    this.names.pop();
    this.textLen = 0;
    if (this.decl !== null && !this.declClosed) {
      if (this.skipDepth > 0) {
        this.skipDepth--;
        return;
      }
      const node = this.stack.pop()!;
      if (this.leafText !== null) {
        node.text = this.leafText.trim();
        this.leafText = null;
      }
      if (this.stack.length === 0) this.declClosed = true;
      return;
    }
    this.wcoTypeCapture = false;
    if (this.response?.capture) {
      this.response.capture = false;
      this.response.done = true;
      // The notification's type is known now: no need to read the rest of it.
      this.notificationError();
    }
  }

  private notificationError(): void {
    const r = this.response!;
    const fc = r.functionCode.trim();
    const name = NOTIFICATION_NAMES[fc];
    const what = name ? `${name}, Response FunctionCode ${fc}` : fc ? `Response FunctionCode ${fc}` : 'a WCO Response';
    this.fail(
      'NOT_A_DECLARATION',
      'Response',
      `this is a DMS notification (${what}), not a declaration: notifications report CDS's processing of a declaration and are not ingested as declarations`,
      r.line,
      r.column,
      r.path,
    );
  }

  private classifyAtEnd(): void {
    if (this.decl !== null) return;
    const root = this.rootQName;
    if (this.response || /^res$/i.test(this.wcoTypeName.trim())) {
      if (!this.response) this.response = { line: 1, column: 1, path: this.rootLocal, functionCode: '', capture: false, done: true };
      return this.notificationError();
    }
    if (this.envelope) {
      const expected = this.metaDepth < 0 ? 'md:MetaData' : 'Declaration';
      return this.fail('MISSING_ELEMENT', expected, `the MDG envelope submitDeclarationRequest holds no ${expected} (${expected === 'md:MetaData' ? NS_META : NS_DEC})`, 1, 1, this.rootLocal);
    }
    if (this.metaDepth === 0) return this.fail('MISSING_ELEMENT', 'Declaration', `md:MetaData holds no Declaration element in namespace ${NS_DEC}`, 1, 1, this.rootLocal);
    const looksLikeDms = /(MetaData|Declaration)$/.test(this.rootLocal) || /wco.?datamodel|DEC-DMS|DocumentMetaData/i.test(this.rootNs);
    if (looksLikeDms) {
      const nonAbsolute = [this.rootNs, ...this.rootDeclaredNs].find((ns) => ns !== '' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(ns));
      const hint = nonAbsolute !== undefined ? ` ("${nonAbsolute}" is not an absolute URI: its colons are missing)` : '';
      return this.fail(
        'WRONG_NAMESPACE',
        root,
        `root element ${root} is in namespace ${describeNs(this.rootNs)}${hint}; a DMS declaration is md:MetaData in ${NS_META} holding Declaration in ${NS_DEC}`,
        1,
        1,
        this.rootLocal,
      );
    }
    this.fail('NOT_A_DECLARATION', root, `root element ${root} (namespace ${describeNs(this.rootNs)}) is not a WCO/DMS declaration`, 1, 1, this.rootLocal);
  }
}

function describeNs(ns: string): string {
  return ns === '' ? '(none)' : `"${ns}"`;
}

export function pathOfNode(basePath: string, node: XNode | null): string {
  const parts: string[] = [];
  for (let n = node; n !== null; n = n.parent) {
    if (n.spec.many && n.index === 0 && n.parent !== null) numberChildren(n.parent);
    parts.push(n.spec.many ? `${n.name}[${n.index}]` : n.name);
  }
  parts.reverse();
  return basePath ? `${basePath}/${parts.join('/')}` : parts.join('/');
}

/**
 * Numbers a node's children by occurrence of their name, in one pass. Done only when an issue's
 * path needs it (rarely), so that building the tree does not pay for it on every element.
 */
function numberChildren(parent: XNode): void {
  const seen = new Map<string, number>();
  for (const c of parent.children) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    c.index = n;
  }
}
