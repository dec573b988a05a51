// Worker thread that validates DMS XML against HMRC's XSDs with libxml2 (libxml2-wasm), started by
// xsd.ts. Why a worker: libxml2-wasm is an ES module with a top-level await (it instantiates its
// WebAssembly on import), which this CommonJS service can only reach through a real dynamic
// import() — unavailable inside Jest's module sandbox — so the library is imported here, in a plain
// Node thread, by this ES module (.mts: compiled to .mjs, and run from source by Node under Jest). The main thread waits for each answer synchronously (Atomics.wait on a shared counter),
// which keeps the DMS parser's API synchronous and lets it cut off a validation that runs too long
// by terminating this thread.
//
// Because Node runs the source directly under Jest (type stripping), it uses only erasable
// TypeScript and imports nothing but Node built-ins (and libxml2-wasm, by the URL it is given).
// Everything it needs arrives in workerData.
//
// Safety: the schemas are read once from the bundled directory into memory and served to libxml2
// through an input provider that answers every load request and refuses everything that is not one
// of those files, so neither a schema include nor a document (external DTD, entity, XInclude) can
// make libxml2 read a file or the network. Documents are parsed with NONET and NO_XXE and without
// entity substitution or DTD loading; xsd.ts never sends one with a DOCTYPE in the first place.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { workerData, type MessagePort } from 'node:worker_threads';
import type * as Libxml2 from 'libxml2-wasm';
import type { ErrorDetail, XmlDocument, XmlElement, XmlNode, XsdValidator } from 'libxml2-wasm';

/** What xsd.ts passes to the worker. */
export interface XsdWorkerInit {
  /** file: URL of libxml2-wasm's ES module entry point. */
  libraryUrl: string;
  /** Directory of the bundled schemas; includes resolve within it only. */
  schemaDir: string;
  /** Schema to compile, relative to schemaDir (e.g. customs/wrapper_submit.xsd). */
  entry: string;
  /** Int32 counter at index 0, bumped after every reply so the main thread can wait on it. */
  signal: SharedArrayBuffer;
  port: MessagePort;
}

export interface XsdWorkerRequest {
  id: number;
  bytes: Uint8Array;
  /** Errors listed in full; the rest are only counted. */
  maxIssues: number;
}

/** One element of the path to an element: its local name and its occurrence among same-named siblings. */
export interface XsdPathStep {
  name: string;
  index: number;
  /** How many element siblings (itself included) share the name. */
  count: number;
}

export interface XsdWorkerIssue {
  line: number;
  message: string;
  /** Local name of the element the message is about, when libxml2 names one. */
  element?: string;
  steps?: XsdPathStep[];
}

export type XsdWorkerReply =
  | { kind: 'ready'; ms: number; error?: string }
  | {
      kind: 'result';
      id: number;
      status: 'valid' | 'invalid' | 'malformed' | 'skipped' | 'error';
      issues: XsdWorkerIssue[];
      omitted: number;
      /** libxml2 stopped reporting at its per-document limit: `omitted` is a lower bound. */
      capped?: boolean;
      /** Path of the element validated (the document root, or md:MetaData inside an envelope). */
      validated?: XsdPathStep[];
      skipped?: string;
      /** Locations libxml2 asked to load while handling this document (all refused). */
      refusedLoads: string[];
      ms: number;
    };

const NS_META = 'urn:wco:datamodel:WCO:DocumentMetaData-DMS:2';
const NS_DEC = 'urn:wco:datamodel:WCO:DEC-DMS:2';
const NS_MDG = 'http://uk/gov/hmrc/mdg/declarationmanagement/submitdeclaration/request/schema/v1';
/** Base URL of the in-memory schema files; libxml2 resolves relative schemaLocations against it. */
const SCHEMA_BASE = 'dms-xsd:///';

// libxml2 parser options (ParseOption values, spelled out because enums are not erasable TypeScript).
const XML_PARSE_NONET = 2048; // no network access
const XML_PARSE_BIG_LINES = 4194304; // true line numbers past 65535
const XML_PARSE_NO_XXE = 8388608; // never load external DTDs or entities
const XML_PARSE_NO_SYS_CATALOG = 33554432; // no system catalog lookups
const PARSE_OPTIONS = XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NO_XXE | XML_PARSE_NO_SYS_CATALOG;

function startWorker(init: XsdWorkerInit): void {
  const signal = new Int32Array(init.signal);
  const reply = (message: XsdWorkerReply): void => {
    init.port.postMessage(message);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };

  const files = readSchemas(init.schemaDir);
  let refused: string[] = [];
  const open = new Map<number, { bytes: Uint8Array; at: number }>();
  let nextFd = 1;

  let lib: typeof Libxml2;
  let validator: XsdValidator;
  // Resolves to null once the schema is compiled, or to why it could not be.
  const ready = (async (): Promise<string | null> => {
    const started = performance.now();
    try {
      lib = (await import(init.libraryUrl)) as typeof Libxml2;
      lib.xmlRegisterInputProvider({
        match: () => true,
        open: (name) => {
          const bytes = files.get(name);
          if (bytes === undefined) {
            refused.push(name);
            return undefined;
          }
          const fd = nextFd++;
          open.set(fd, { bytes, at: 0 });
          return fd;
        },
        read: (fd, buf) => {
          const f = open.get(fd);
          if (f === undefined) return -1;
          const n = Math.min(buf.byteLength, f.bytes.length - f.at);
          buf.set(f.bytes.subarray(f.at, f.at + n));
          f.at += n;
          return n;
        },
        close: (fd) => open.delete(fd),
      });
      const entryUrl = SCHEMA_BASE + init.entry;
      const entry = files.get(entryUrl);
      if (entry === undefined) throw new Error(`schema ${init.entry} is not in ${init.schemaDir}`);
      // The schema document stays alive for the worker's lifetime, as the compiled schema refers to it.
      const schemaDoc = lib.XmlDocument.fromBuffer(entry, { url: entryUrl, option: PARSE_OPTIONS });
      validator = lib.XsdValidator.fromDoc(schemaDoc);
      if (refused.length > 0) throw new Error(`the schema refers to files not bundled: ${refused.join(', ')}`);
      reply({ kind: 'ready', ms: performance.now() - started });
      return null;
    } catch (e) {
      reply({ kind: 'ready', ms: performance.now() - started, error: describe(e) });
      return describe(e);
    }
  })();

  init.port.on('message', (req: XsdWorkerRequest) => {
    void ready.then((failed) => {
      const started = performance.now();
      refused = [];
      let answer: Omit<Extract<XsdWorkerReply, { kind: 'result' }>, 'id' | 'kind' | 'refusedLoads' | 'ms'>;
      try {
        answer = failed !== null ? { status: 'error', issues: [], omitted: 0, skipped: `the schema could not be compiled: ${failed}` } : validate(lib, validator, req);
      } catch (e) {
        answer = { status: 'error', issues: [], omitted: 0, skipped: describe(e) };
      }
      reply({ kind: 'result', id: req.id, ...answer, refusedLoads: refused, ms: performance.now() - started });
    });
  });
}

function validate(lib: typeof Libxml2, validator: XsdValidator, req: XsdWorkerRequest): Omit<Extract<XsdWorkerReply, { kind: 'result' }>, 'id' | 'kind' | 'refusedLoads' | 'ms'> {
  let doc: XmlDocument;
  try {
    doc = lib.XmlDocument.fromBuffer(req.bytes, { url: 'document.xml', option: PARSE_OPTIONS });
  } catch (e) {
    if (e instanceof lib.XmlLibError) return { status: 'malformed', ...toIssues(null, e.details, req.maxIssues) };
    throw e;
  }
  try {
    const target = validationRoot(doc);
    if (target === null) return { status: 'skipped', issues: [], omitted: 0, skipped: 'the MDG envelope holds no MetaData or Declaration element to check; HMRC publishes no schema for the envelope itself' };
    const validated = pathTo(target);
    try {
      // The whole document when it is the DMS message itself, else the element inside the envelope.
      if (target.parent === null) validator.validate(doc);
      else validator.validate(target);
    } catch (e) {
      if (e instanceof lib.XmlValidateError) return { status: 'invalid', validated, ...toIssues(doc, e.details, req.maxIssues) };
      throw e;
    }
    return { status: 'valid', validated, issues: [], omitted: 0 };
  } finally {
    doc.dispose();
  }
}

/**
 * The element to validate. A DMS message (md:MetaData or a bare Declaration, or anything else:
 * libxml2 then says it matches no global declaration, which names the wrong root or namespace) is
 * validated whole. Inside HMRC's MDG envelope, the first MetaData or Declaration element below it
 * (in any namespace, so that a wrong one is reported) is validated as a subtree.
 */
function validationRoot(doc: XmlDocument): XmlElement | null {
  const root = doc.root;
  if (!(root.name === 'submitDeclarationRequest' && root.namespaceUri === NS_MDG)) return root;
  const stack: XmlNode[] = [];
  for (let c = root.firstChild; c != null; c = c.next) stack.push(c);
  stack.reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    if (n.name === 'MetaData' || n.name === 'Declaration') return n;
    const kids: XmlNode[] = [];
    for (let c = n.firstChild; c != null; c = c.next) kids.push(c);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return null;
}

function isElement(n: XmlNode | null): n is XmlElement {
  return n != null && 'firstChild' in n && 'namespaceUri' in n;
}

/** libxml2 stops reporting errors for a document after this many (measured with libxml2-wasm 0.7.2). */
const LIBXML2_MAX_ERRORS = 1000;

function toIssues(doc: XmlDocument | null, details: ErrorDetail[], max: number): { issues: XsdWorkerIssue[]; omitted: number; capped: boolean } {
  // Warnings (level 1) are libxml2's remarks, not reasons CDS would reject the message.
  const errors = details.filter((d) => d.level >= 2);
  const issues = errors.slice(0, max).map((d): XsdWorkerIssue => {
    const message = d.message.trim();
    const element = /^Element '(?:\{[^}]*\})?([^']+)'/.exec(message)?.[1];
    const node = doc !== null && d.xpath ? resolvePath(doc, d.xpath) : null;
    return { line: d.line, message, element, steps: node ? pathTo(node) : undefined };
  });
  return { issues, omitted: errors.length - issues.length, capped: details.length >= LIBXML2_MAX_ERRORS };
}

/**
 * Finds the element an error's XPath (as libxml2's xmlGetNodePath writes it) points at, by walking
 * child positions — no XPath evaluation, so the document's prefixes need not be known. Steps are
 * `prefix:name[n]` (n-th same-named sibling) or, for elements in a default namespace, `*[n]` (n-th
 * element child); the index is left out when there is only one.
 */
function resolvePath(doc: XmlDocument, xpath: string): XmlElement | null {
  const steps = xpath.split('/').slice(1);
  let node: XmlElement | null = null;
  for (const step of steps) {
    const m = /^(?:[^:[\]]+:)?([^:[\]]+)(?:\[(\d+)\])?$/.exec(step);
    if (!m) return null;
    const [name, nth] = [m[1]!, Number(m[2] ?? '1')];
    let seen = 0;
    let found: XmlElement | null = null;
    if (node === null) {
      const root = doc.root;
      if (name === '*' || root.name === name) found = root;
    } else {
      for (let c: XmlNode | null = node.firstChild; c != null; c = c.next) {
        if (!isElement(c) || (name !== '*' && c.name !== name)) continue;
        if (++seen === nth) {
          found = c;
          break;
        }
      }
    }
    if (found === null) return null;
    node = found;
  }
  return node;
}

/** Local names from the root to `el`, each with its position among same-named element siblings. */
function pathTo(el: XmlElement): XsdPathStep[] {
  const steps: XsdPathStep[] = [];
  for (let n: XmlElement | null = el; n !== null; n = n.parent) {
    let index = 1;
    let count = 1;
    // `!= null`: libxml2-wasm answers undefined, not null, for a sibling it has no wrapper for (a
    // processing instruction before the root: `<?pi?><md:MetaData>`), and stepping on it threw,
    // so such a document was never checked. The walk stops there (the index counts the elements
    // this side of it; a PI between goods items is rare and the path is only a location).
    for (let s = n.prev; s != null; s = s.prev) if (isElement(s) && s.name === n.name) (index++, count++);
    for (let s = n.next; s != null; s = s.next) if (isElement(s) && s.name === n.name) count++;
    steps.push({ name: n.name, index, count });
  }
  return steps.reverse();
}

/** Every .xsd below dir, keyed by its URL under SCHEMA_BASE (relative paths as in HMRC's tree). */
function readSchemas(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.xsd')) out.set(SCHEMA_BASE + relative(dir, full).split(sep).join('/'), readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

if (workerData && (workerData as { port?: unknown }).port) startWorker(workerData as XsdWorkerInit);
