// Schema check of DMS declaration XML against HMRC's own XSDs (WCO_DEC_2_DMS.xsd 2.15 with the
// DocumentMetaData envelope, compiled through HMRC's customs/wrapper_submit.xsd), with libxml2
// compiled to WebAssembly (libxml2-wasm): a real XSD 1.0 validator, no native binaries.
//
// Why it exists: the DMS parser reads only the elements it maps and checks values it uses; CDS
// validates the whole submission against these schemas first and rejects one that fails. Running
// the same schemas here tells an importer that a declaration their broker filed could not have been
// accepted as written (a field too long, elements out of order, a code of the wrong shape), and gives
// a rejected file libxml2's own account of what is wrong with it.
//
// How: libxml2 runs in a worker thread (see xsd-worker.mts for why), started on first use, with the
// schema compiled once there and reused. Two ways to call it: validateDmsAsync, which the service
// uses, resolves when the worker answers, so the event loop keeps serving other requests and
// relaying the outbox meanwhile; validateDms is synchronous (the caller waits on a shared counter),
// for the synchronous parser API that tests and scripts use. Each has its own worker, since a port
// is read either by events or by polling. Either way a validation that takes longer than
// `timeoutMs` is abandoned and its worker replaced. The worker exits after a minute without
// work, so an idle process (or a finished test file) does not keep its WebAssembly memory.
//
// Bounds: documents over `maxBytes` or with a DOCTYPE are never handed to libxml2 (the DMS parser
// refuses DOCTYPEs before this runs; this module refuses them again on its own). At most
// `maxIssues` schema errors are listed per document, the rest counted.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { DECLARATION_SPEC, type Spec } from './spec';
import type { XsdPathStep, XsdWorkerInit, XsdWorkerReply, XsdWorkerRequest } from './xsd-worker.mjs';

/** HMRC's schemas as shipped in this repository (services/ingestion/schemas/dms, see its SOURCES.md). */
export const DMS_SCHEMA_DIR = resolve(__dirname, '../../../schemas/dms');
/** HMRC's submission wrapper: md:MetaData (DocumentMetaData_2_DMS.xsd) + Declaration (WCO_DEC_2_DMS.xsd). */
export const DMS_SCHEMA_ENTRY = 'customs/wrapper_submit.xsd';
const SCHEMA_NAME = 'HMRC WCO_DEC_2_DMS.xsd 2.15';

export interface XsdIssue {
  /** 1-based line of the element (libxml2 gives no column for schema errors). */
  line: number;
  column?: number;
  /** libxml2's message, with the DMS namespaces shortened: `Element 'FunctionalReferenceID': [facet 'maxLength'] …`. */
  message: string;
  /** Local name of the element concerned. */
  element?: string;
  /** Element path from the document root, e.g. `MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/Commodity`. */
  path?: string;
}

export interface XsdResult {
  /**
   * valid / invalid: checked against the schema. malformed: libxml2 could not parse the document
   * (issues hold its parse error). skipped: not checked (`reason` says why: DOCTYPE, too large,
   * timed out, nothing to validate inside an envelope, validator unavailable).
   */
  status: 'valid' | 'invalid' | 'malformed' | 'skipped';
  issues: XsdIssue[];
  /** Errors beyond maxIssues, counted but not listed. */
  omitted: number;
  /** libxml2 stops reporting after 1000 errors in a document: when it did, `omitted` is a lower bound. */
  capped?: boolean;
  /** Path of the element validated: the root, or md:MetaData inside HMRC's MDG envelope. */
  validated?: string;
  reason?: string;
  /** Locations libxml2 tried to load while reading this document; every one was refused. */
  refusedLoads: string[];
  /** Wall time of the call, including the hand-over to the worker. */
  ms: number;
}

export interface XsdSettings {
  /** Whether the DMS parser runs the schema check (DmsParseOptions.schemaCheck overrides it per call). */
  enabled: boolean;
  /** Longest wait for one document's validation before it is abandoned. */
  timeoutMs: number;
  /** Schema errors listed per document. */
  maxIssues: number;
  /** Largest document handed to libxml2. */
  maxBytes: number;
}

const settings: XsdSettings = { enabled: true, timeoutMs: 10_000, maxIssues: 100, maxBytes: 10 * 1024 * 1024 };
/** How long a first call waits for the worker to load libxml2 and compile the schema. */
const START_TIMEOUT_MS = 30_000;
/** The worker exits after this long without a document. */
const IDLE_MS = 60_000;

/** Process-wide settings (the service sets them from its configuration at start-up). */
export function configureDmsSchemaCheck(s: Partial<XsdSettings>): void {
  Object.assign(settings, s);
}

export function dmsSchemaCheckSettings(): Readonly<XsdSettings> {
  return settings;
}

interface Running {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  /** null until the worker said it is ready; then '' or why it failed. */
  startError: string | null;
  startMs: number;
}

let running: Running | null = null;
let nextId = 1;
let idleTimer: NodeJS.Timeout | null = null;
let documentsSent = 0;

/** Counters for tests and metrics: documents handed to libxml2, and the last worker's start-up time. */
export function dmsSchemaCheckStats(): { documentsSent: number; workerRunning: boolean; startMs: number } {
  return { documentsSent, workerRunning: running !== null || asyncRunning !== null, startMs: running?.startMs ?? asyncRunning?.startMs ?? 0 };
}

function startWorker(): { worker: Worker; port: MessagePort; signal: Int32Array } {
  const { port1, port2 } = new MessageChannel();
  const shared = new SharedArrayBuffer(4);
  // The compiled worker (an ES module) sits next to this file in dist/; under Jest this file is the
  // .ts source and Node runs the .mts worker itself (type stripping).
  const file = resolve(__dirname, __filename.endsWith('.ts') ? 'xsd-worker.mts' : 'xsd-worker.mjs');
  const init: XsdWorkerInit = {
    libraryUrl: pathToFileURL(require.resolve('libxml2-wasm')).href,
    schemaDir: DMS_SCHEMA_DIR,
    entry: DMS_SCHEMA_ENTRY,
    signal: shared,
    port: port2,
  };
  const worker = new Worker(file, { workerData: init, transferList: [port2] });
  // Neither the worker nor its port may keep the process alive; a crash only retires this worker.
  worker.unref();
  port1.unref();
  return { worker, port: port1, signal: new Int32Array(shared) };
}

function spawn(): Running {
  const { worker, port, signal } = startWorker();
  const r: Running = { worker, port, signal, startError: null, startMs: 0 };
  worker.on('error', () => retire(r));
  worker.on('exit', () => retire(r));
  return r;
}

function retire(r: Running): void {
  if (running === r) running = null;
  r.port.close();
  void r.worker.terminate();
}

/**
 * Starts the service's (asynchronous) worker now, loading libxml2 and compiling the schema in the
 * background, so that the first document does not wait for it.
 */
export function warmUpDmsSchemaCheck(): void {
  if (asyncRunning === null) asyncRunning = spawnAsync();
  armIdleTimer();
}

/** Stops the workers (a later call starts new ones). */
export async function closeDmsSchemaCheck(): Promise<void> {
  const r = running;
  const a = asyncRunning;
  running = null;
  asyncRunning = null;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (r) {
    r.port.close();
    await r.worker.terminate();
  }
  if (a) await retireAsync(a, 'the XML schema validator was stopped');
}

function armIdleTimer(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closeDmsSchemaCheck(), IDLE_MS);
  idleTimer.unref();
}

/**
 * Waits (blocking) for the worker's next reply, at most until `deadline`. Every reply bumps the
 * shared counter after it is posted, so once the counter moves the message is in the port's queue.
 */
function awaitReply(r: Running, deadline: number): XsdWorkerReply | null {
  for (;;) {
    const seen = Atomics.load(r.signal, 0);
    const msg = receiveMessageOnPort(r.port);
    if (msg) return msg.message as XsdWorkerReply;
    const left = deadline - performance.now();
    if (left <= 0) return null;
    Atomics.wait(r.signal, 0, seen, left);
  }
}

const skipped = (reason: string, started: number): XsdResult => ({ status: 'skipped', issues: [], omitted: 0, reason, refusedLoads: [], ms: performance.now() - started });

type XsdOptions = { timeoutMs?: number; maxIssues?: number; maxBytes?: number };

/** The bytes to hand to libxml2, or why the document is not handed over at all. */
function prepare(content: Buffer | Uint8Array | string, opts: XsdOptions, started: number): { bytes: Uint8Array } | { result: XsdResult } {
  const maxBytes = opts.maxBytes ?? settings.maxBytes;
  const size = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.length;
  if (size > maxBytes) return { result: skipped(`the document is ${size} bytes; the schema check reads at most ${maxBytes}`, started) };
  // An exact copy: posting a view would copy its whole backing buffer (e.g. Node's 8 KiB pool, or
  // the request body a Buffer was sliced from) to the worker.
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : new Uint8Array(content);
  // Defence in depth: entity declarations (XXE, entity expansion) need a DOCTYPE, and libxml2 never sees one.
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('<!DOCTYPE') >= 0)
    return { result: skipped('the document has a DOCTYPE, which is never passed to the XML schema validator', started) };
  return { bytes };
}

/** The worker's answer as a result; `retireWorker` is called when the worker must not be reused. */
function toResult(reply: Extract<XsdWorkerReply, { kind: 'result' }>, started: number, retireWorker: () => void): XsdResult {
  if (reply.status === 'error') {
    // An internal libxml2 failure may leave its WebAssembly state unusable: start afresh next time.
    retireWorker();
    return { ...skipped(`the XML schema validator failed: ${reply.skipped ?? 'unknown error'}`, started), refusedLoads: reply.refusedLoads };
  }
  return {
    status: reply.status,
    issues: reply.issues.map((i) => ({ line: i.line, message: shorten(i.message), element: i.element, path: i.steps ? formatPath(i.steps) : undefined })),
    omitted: reply.omitted,
    capped: reply.capped,
    validated: reply.validated ? formatPath(reply.validated) : undefined,
    reason: reply.skipped,
    refusedLoads: reply.refusedLoads,
    ms: performance.now() - started,
  };
}

/**
 * Validates one DMS document (bytes or text, UTF-8) against HMRC's declaration schema, waiting
 * synchronously for the answer (see validateDmsAsync for the service's way). A message rooted at
 * md:MetaData or Declaration is validated whole; inside HMRC's MDG envelope
 * (submitDeclarationRequest) the MetaData is validated as a subtree, lines still counted in the
 * whole file. Never throws: whatever prevents the check is a `skipped` result with its reason.
 */
export function validateDms(content: Buffer | Uint8Array | string, opts: XsdOptions = {}): XsdResult {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? settings.timeoutMs;
  const prepared = prepare(content, opts, started);
  if ('result' in prepared) return prepared.result;

  if (running === null) running = spawn();
  const r = running;
  armIdleTimer();
  if (r.startError === null) {
    const ready = awaitReply(r, started + START_TIMEOUT_MS);
    if (ready === null || ready.kind !== 'ready') {
      retire(r);
      return skipped(`the XML schema validator did not start within ${START_TIMEOUT_MS} ms`, started);
    }
    r.startError = ready.error ?? '';
    r.startMs = ready.ms;
  }
  if (r.startError !== '') return skipped(`the XML schema validator is unavailable: ${r.startError}`, started);

  const id = nextId++;
  const request: XsdWorkerRequest = { id, bytes: prepared.bytes, maxIssues: opts.maxIssues ?? settings.maxIssues };
  r.port.postMessage(request);
  documentsSent++;
  const deadline = performance.now() + timeoutMs;
  let reply: XsdWorkerReply | null;
  do reply = awaitReply(r, deadline);
  while (reply !== null && (reply.kind !== 'result' || reply.id !== id));
  if (reply === null || reply.kind !== 'result') {
    // libxml2 cannot be interrupted: drop the worker (the next document starts a fresh one).
    retire(r);
    return skipped(`the schema check did not finish within ${timeoutMs} ms`, started);
  }
  return toResult(reply, started, () => retire(r));
}

interface AsyncRunning {
  worker: Worker;
  port: MessagePort;
  /** Resolves with '' once libxml2 and the schema are loaded, or with why they could not be. */
  ready: Promise<string>;
  setReady(error: string): void;
  pending: Map<number, (reply: Extract<XsdWorkerReply, { kind: 'result' }> | string) => void>;
  startMs: number;
}

let asyncRunning: AsyncRunning | null = null;

function spawnAsync(): AsyncRunning {
  const { worker, port } = startWorker();
  let setReady: (error: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (setReady = resolve));
  const r: AsyncRunning = { worker, port, ready, setReady, pending: new Map(), startMs: 0 };
  port.on('message', (m: XsdWorkerReply) => {
    if (m.kind === 'ready') {
      r.startMs = m.ms;
      r.setReady(m.error ?? '');
      return;
    }
    const answer = r.pending.get(m.id);
    r.pending.delete(m.id);
    answer?.(m);
  });
  worker.on('error', () => void retireAsync(r, 'the XML schema validator stopped'));
  worker.on('exit', () => void retireAsync(r, 'the XML schema validator stopped'));
  return r;
}

/** Drops an async worker; documents it still had are answered `skipped` with `why`. */
async function retireAsync(r: AsyncRunning, why: string): Promise<void> {
  if (asyncRunning === r) asyncRunning = null;
  r.setReady(why);
  for (const answer of r.pending.values()) answer(why);
  r.pending.clear();
  r.port.close();
  await r.worker.terminate();
}

/**
 * validateDms without blocking: resolves when the worker answers (or `timeoutMs` passes), so the
 * event loop serves other requests meanwhile. Never rejects: whatever prevents the check is a
 * `skipped` result with its reason.
 */
export async function validateDmsAsync(content: Buffer | Uint8Array | string, opts: XsdOptions = {}): Promise<XsdResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? settings.timeoutMs;
  const prepared = prepare(content, opts, started);
  if ('result' in prepared) return prepared.result;
  if (asyncRunning === null) asyncRunning = spawnAsync();
  const r = asyncRunning;
  armIdleTimer();
  let timer: NodeJS.Timeout | undefined;
  const startError = await Promise.race([r.ready, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), START_TIMEOUT_MS)))]);
  clearTimeout(timer);
  if (startError === null) {
    await retireAsync(r, 'the XML schema validator did not start in time');
    return skipped(`the XML schema validator did not start within ${START_TIMEOUT_MS} ms`, started);
  }
  if (startError !== '') return skipped(`the XML schema validator is unavailable: ${startError}`, started);

  const id = nextId++;
  const request: XsdWorkerRequest = { id, bytes: prepared.bytes, maxIssues: opts.maxIssues ?? settings.maxIssues };
  const reply = await new Promise<Extract<XsdWorkerReply, { kind: 'result' }> | string>((resolve) => {
    const deadline = setTimeout(() => {
      // libxml2 cannot be interrupted: drop the worker (documents queued behind this one are
      // answered as skipped; the next document starts a fresh worker).
      r.pending.delete(id);
      resolve(`the schema check did not finish within ${timeoutMs} ms`);
      void retireAsync(r, `the XML schema validator was restarted: another document's check exceeded ${timeoutMs} ms`);
    }, timeoutMs);
    r.pending.set(id, (answer) => {
      clearTimeout(deadline);
      resolve(answer);
    });
    r.port.postMessage(request);
    documentsSent++;
  });
  if (typeof reply === 'string') return skipped(reply, started);
  return toResult(reply, started, () => void retireAsync(r, 'the XML schema validator failed'));
}

/** The schema's name as issue reasons cite it. */
export const DMS_SCHEMA_NAME = SCHEMA_NAME;

// libxml2 writes qualified names as {namespace}local; the DMS namespaces are spelled as the samples
// write them (Declaration's default namespace unprefixed, md: for the metadata), others kept.
const NAMESPACE_PREFIXES: ReadonlyArray<[string, string]> = [
  ['{urn:wco:datamodel:WCO:DEC-DMS:2}', ''],
  ['{urn:wco:datamodel:WCO:DocumentMetaData-DMS:2}', 'md:'],
];

function shorten(message: string): string {
  let m = message;
  for (const [ns, prefix] of NAMESPACE_PREFIXES) m = m.split(ns).join(prefix);
  // Parse errors may quote many lines of the input; the first is enough to find it.
  const firstLine = m.split('\n')[0]!.trim();
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}

const OUTSIDE_SPEC: Spec = { leaf: false, many: false, kids: null };

/**
 * Renders a path as the DMS parser does, so that a schema issue and a parser warning about the
 * same element read alike: an element repeatable in the parser's spec (GovernmentAgencyGoodsItem,
 * AdditionalDocument, …) always shows its occurrence number, any other element only when it has
 * same-named siblings.
 */
function formatPath(steps: XsdPathStep[]): string {
  let spec: Spec | null = null;
  const parts: string[] = [];
  for (const s of steps) {
    let many = false;
    if (spec === null) {
      if (s.name === 'Declaration') spec = DECLARATION_SPEC;
    } else {
      const kid: Spec | undefined = spec.kids?.get(s.name);
      many = kid?.many ?? false;
      spec = kid ?? OUTSIDE_SPEC;
    }
    parts.push(many || s.count > 1 ? `${s.name}[${s.index}]` : s.name);
  }
  return parts.join('/');
}
