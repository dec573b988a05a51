// One Online Trade Tariff API sync, resumable: plan (the commodity codes to fetch: all tracked
// ones for a full sync, those the changes endpoint lists since the last completed sync for an
// incremental one), fetch and parse each response, staging it in the database as it arrives,
// then load everything staged through the existing OTT loader in one transaction (a new dataset
// version whose DatasetChanged names the codes touched, the measures changed and the stop-press
// notices) plus each new month of HMRC exchange rates through the FX loader. A failure leaves the
// run "failed" with its staged responses; the next sync resumes it, fetching only what is missing.
import type { StopPressNotice } from '@customs/contracts';
import type { FxRow } from '../parse/fx';
import { parseOttApiJson, type OttImport, type OttMeasure } from '../parse/ott';
import { datasetVersion } from '../app/store';
import type { OttApiClient } from './client';
import type { QuotaDefinitionRow } from '../db/quota-repo';
import { parseChanges, parseExchangeRateMonth, parseGeographicalArea, parseNewsItems, parseQuotaDefinitions, type NewsNotice } from './parse';

export type SyncKind = 'full' | 'incremental';

export interface SyncRun {
  id: number;
  kind: SyncKind;
  sinceDate: string;
  untilDate: string;
  planned: string[];
}

/** What one staged item holds (JSON in ott_sync_staged). */
export type StagedItem =
  | { kind: 'commodity'; code: string; measures: OttMeasure[]; groups: [string, string[]][]; missing?: boolean }
  | { kind: 'group'; id: string; members: string[] }
  | { kind: 'news'; notices: NewsNotice[] }
  | { kind: 'fx'; month: string; rows: FxRow[] }
  | { kind: 'quota'; orderNumber: string; definitions: QuotaDefinitionRow[] };

export interface OttSyncPorts {
  /** until_date of the latest completed sync, undefined when none completed. */
  lastCompletedUntil(): Promise<string | undefined>;
  /** The latest run that neither completed nor was abandoned (to resume). */
  unfinished(): Promise<SyncRun | undefined>;
  /** Gives up an unfinished run (its staged responses are dropped). */
  abandon(runId: number, reason: string): Promise<void>;
  createRun(run: Omit<SyncRun, 'id'>, baseUrl: string): Promise<number>;
  stagedItems(runId: number): Promise<Map<string, StagedItem>>;
  stage(runId: number, key: string, item: StagedItem): Promise<void>;
  finish(runId: number, outcome: { status: 'completed' | 'failed'; error?: string; datasetVersion?: string; fxVersions?: string[]; stopPress?: StopPressNotice[]; stats: object }): Promise<void>;
  /** Commodity codes with stored OTT measures (what a full sync refreshes by default). */
  trackedCodes(): Promise<string[]>;
  /** Last day covered by HMRC rates held (bundled or loaded). */
  fxLatestDay(): string | undefined;
  /** A group's members as held now (undefined = never loaded). */
  groupMembers(group: string): string[] | undefined;
  loadOtt(
    source: string,
    version: string,
    imp: OttImport,
    stopPress: StopPressNotice[],
    asOf: string,
    quotaDefinitions: QuotaDefinitionRow[],
  ): Promise<{ version: string; duplicate: boolean; commodityCodes: string[]; tariffChanges: number }>;
  loadFx(source: string, version: string, rows: FxRow[]): Promise<{ version: string; duplicate: boolean }>;
}

export interface SyncRequest {
  kind?: SyncKind;
  /** Codes to fetch as well (a full sync fetches only these when given). */
  commodities?: string[];
  /** The as-of date the sync brings the data to, YYYY-MM-DD (today by default). */
  until: string;
  groups: string[];
  /** Abandon an unfinished run instead of resuming it (e.g. one that keeps failing on a bad response). */
  restart?: boolean;
  /** Commodity requests in flight at once (default 1). */
  concurrency?: number;
}

export interface SyncOutcome {
  runId: number;
  kind: SyncKind;
  resumed: boolean;
  sinceDate: string;
  untilDate: string;
  commodityCodes: string[];
  fetched: number;
  reusedFromStage: number;
  datasetVersion: string;
  tariffChanges: number;
  fxVersions: string[];
  stopPress: StopPressNotice[];
  stats: OttApiClient['stats'];
}

/** A sync that cannot start as asked (named reason; nothing fetched or written). */
export class OttSyncRefused extends Error {}

/** A sync run stopped (recorded as failed with this message; the next sync resumes it). */
export class OttSyncFailed extends Error {
  constructor(
    readonly runId: number,
    readonly reason: Error,
  ) {
    super(`OTT sync run ${runId} failed (nothing loaded; the next sync resumes it): ${reason.message}`);
    this.name = 'OttSyncFailed';
  }
}

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
/** The API writes path dates without zero padding ("2024-1-15", "2024-3"). */
const apiDay = (d: string) => `${Number(d.slice(0, 4))}-${Number(d.slice(5, 7))}-${Number(d.slice(8, 10))}`;
const apiMonth = (ym: string) => `${Number(ym.slice(0, 4))}-${Number(ym.slice(5, 7))}`;
const MAX_DAYS = 366;

function nextMonth(ym: string): string {
  const y = Number(ym.slice(0, 4));
  const m = Number(ym.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Plans a new run: the codes to fetch (full: given or tracked; incremental: the changes since the last completed sync). */
async function plan(client: OttApiClient, ports: OttSyncPorts, req: SyncRequest): Promise<Omit<SyncRun, 'id'>> {
  const last = await ports.lastCompletedUntil();
  const kind: SyncKind = req.kind ?? (last ? 'incremental' : 'full');
  const extra = req.commodities ?? [];
  for (const c of extra) if (!/^\d{10}$/.test(c)) throw new OttSyncRefused(`commodities: "${c}" is not a 10-digit commodity code`);
  if (kind === 'full') {
    const planned = [...new Set(extra.length ? extra : await ports.trackedCodes())].sort();
    if (planned.length === 0) throw new OttSyncRefused('a full sync needs commodity codes: none are tracked yet (no OTT measures stored); pass "commodities"');
    return { kind, sinceDate: '', untilDate: req.until, planned };
  }
  if (!last) throw new OttSyncRefused('no completed sync to continue from: run a full sync first (kind "full")');
  if (last >= req.until) return { kind, sinceDate: last, untilDate: req.until, planned: [...new Set(extra)].sort() };
  const from = Date.parse(`${last}T00:00:00Z`) + DAY;
  const to = Date.parse(`${req.until}T00:00:00Z`);
  if ((to - from) / DAY + 1 > MAX_DAYS) throw new OttSyncRefused(`the last completed sync was on ${last}, more than ${MAX_DAYS} days before ${req.until}: run a full sync`);
  const codes = new Set(extra);
  for (let t = from; t <= to; t += DAY) {
    const day = isoDay(t);
    const path = `changes/${apiDay(day)}`;
    const text = await client.get(path);
    // Only declarable lines carry measures of their own (end_line); intermediate headings do not.
    for (const c of parseChanges(`GET ${path}`, text!)) if (c.endLine) codes.add(c.code);
  }
  return { kind, sinceDate: last, untilDate: req.until, planned: [...codes].sort() };
}

/**
 * Runs (or resumes) a sync. Throws what stopped it (OttApiError, OttApiFormatError,
 * OttImportError, OttSyncRefused), after recording the run as failed; nothing staged is loaded.
 */
export async function runOttSync(client: OttApiClient, ports: OttSyncPorts, req: SyncRequest): Promise<SyncOutcome> {
  let previous = await ports.unfinished();
  if (previous && req.restart) {
    await ports.abandon(previous.id, 'abandoned: a new sync was requested with restart');
    previous = undefined;
  }
  const run: SyncRun = previous ?? { id: 0, ...(await plan(client, ports, req)) };
  const resumed = !!previous;
  if (!previous) run.id = await ports.createRun(run, client.baseUrl);
  try {
    const staged = await ports.stagedItems(run.id);
    const reused = staged.size;
    let fetched = 0;
    const stage = async (key: string, item: StagedItem) => {
      await ports.stage(run.id, key, item);
      staged.set(key, item);
      fetched++;
    };
    const fetchCommodity = async (code: string) => {
      const key = `commodity:${code}`;
      const path = `commodities/${code}?as_of=${run.untilDate}`;
      const text = await client.get(path, { allowNotFound: true });
      // A code the tariff no longer has: its stored measures stay as they were (answerable for past dates).
      if (text === undefined) await stage(key, { kind: 'commodity', code, measures: [], groups: [], missing: true });
      else {
        const imp = parseOttApiJson(`GET ${path}`, text);
        if (!imp.commodityCodes.includes(code)) throw new OttSyncRefused(`GET ${path}: the response is for ${imp.commodityCodes.join(', ') || 'no commodity'}, not ${code}`);
        await stage(key, { kind: 'commodity', code, measures: imp.measures, groups: [...imp.groups] });
      }
    };
    // A few requests in flight (the client still backs off per request on 429s); each response is
    // staged as it arrives, and after the first failure no worker starts another code.
    const todo = run.planned.filter((c) => !staged.has(`commodity:${c}`));
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (failure === undefined && next < todo.length) {
        const code = todo[next++]!;
        try {
          await fetchCommodity(code);
        } catch (e) {
          failure ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(req.concurrency ?? 1, todo.length)) }, worker));
    if (failure !== undefined) throw failure;
    // The definitions (period, volume, balance as of the sync's date) of every quota order number
    // the fetched measures carry, so quota measures can be allocated (app/quota-allocation.ts).
    const orderNumbers = new Set<string>();
    for (const it of staged.values()) if (it.kind === 'commodity') for (const m of it.measures) if (m.quotaOrderNumber) orderNumbers.add(m.quotaOrderNumber);
    for (const on of [...orderNumbers].sort()) {
      const key = `quota:${on}`;
      if (staged.has(key)) continue;
      const path = `quotas/search?order_number=${on}&year=${Number(run.untilDate.slice(0, 4))}&month=${Number(run.untilDate.slice(5, 7))}&day=${Number(run.untilDate.slice(8, 10))}`;
      const text = await client.get(path, { allowNotFound: true });
      const definitions = text === undefined ? [] : parseQuotaDefinitions(`GET ${path}`, text).filter((d) => d.orderNumber === on);
      await stage(key, { kind: 'quota', orderNumber: on, definitions: definitions.map((d) => ({ ...d, asOf: run.untilDate })) });
    }
    for (const g of req.groups) {
      const key = `group:${g}`;
      if (staged.has(key)) continue;
      const path = `geographical_areas/${g}`;
      const area = parseGeographicalArea(`GET ${path}`, (await client.get(path))!);
      await stage(key, { kind: 'group', id: area.id, members: area.members });
    }
    if (!staged.has('news')) {
      const path = 'news/items?target=updates';
      const notices = parseNewsItems(`GET ${path}`, (await client.get(path))!);
      // An incremental sync announces what was published since the last one; a full one, the page as listed.
      await stage('news', { kind: 'news', notices: notices.filter((n) => !run.sinceDate || (n.published > run.sinceDate && n.published <= run.untilDate)) });
    }
    // HMRC rates for the months after the latest held, up to the sync's month; a month not
    // published yet (404) ends the list.
    const latest = ports.fxLatestDay();
    for (let ym = latest ? nextMonth(latest.slice(0, 7)) : run.untilDate.slice(0, 7); ym <= run.untilDate.slice(0, 7); ym = nextMonth(ym)) {
      const key = `fx:${ym}`;
      if (staged.has(key)) continue;
      const path = `exchange_rates/${apiMonth(ym)}?filter[type]=monthly`;
      const text = await client.get(path, { allowNotFound: true });
      if (text === undefined) break;
      await stage(key, { kind: 'fx', month: ym, rows: parseExchangeRateMonth(`GET ${path}`, text) });
    }

    // Everything fetched: load it (one OTT transaction; one FX load per month).
    const items = [...staged.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
    const measures = new Map<string, OttMeasure>();
    const groups = new Map<string, string[]>();
    const codes: string[] = [];
    let notices: NewsNotice[] = [];
    const fxMonths: { month: string; rows: FxRow[] }[] = [];
    const quotaDefinitions: QuotaDefinitionRow[] = [];
    for (const it of items) {
      if (it.kind === 'commodity') {
        if (!it.missing) codes.push(it.code);
        for (const m of it.measures) measures.set(`${m.commodityCode}|${m.sid}`, m);
        for (const [g, members] of it.groups) groups.set(g, members);
      } else if (it.kind === 'group') {
        // A membership the store already holds as it is changes nothing (no version for it alone).
        const held = ports.groupMembers(it.id);
        if (!held || held.join('|') !== [...new Set(it.members)].sort().join('|')) groups.set(it.id, it.members);
      } else if (it.kind === 'news') notices = it.notices;
      else if (it.kind === 'quota') quotaDefinitions.push(...it.definitions);
      else fxMonths.push({ month: it.month, rows: it.rows });
    }
    const stopPress: StopPressNotice[] = notices.map((n) => ({ id: n.id, title: n.title, published: n.published, commodityCodes: n.commodityCodes, url: n.url }));
    let loaded = { version: '', duplicate: false, commodityCodes: [] as string[], tariffChanges: 0 };
    if (codes.length || groups.size) {
      // The version carries the data's own date (the as-of date), never the time of loading.
      const source = `ott-api-${run.untilDate}`;
      const imp: OttImport = { format: 'ott-api-jsonapi', commodityCodes: codes.sort(), measures: [...measures.values()], groups };
      // Quota balances are part of the version: a changed balance is new data.
      const canonical = JSON.stringify({ codes: imp.commodityCodes, measures: [...measures.entries()].sort(([a], [b]) => a.localeCompare(b)), groups: [...groups].sort(), quotas: quotaDefinitions });
      loaded = await ports.loadOtt(source, datasetVersion(source, canonical), imp, stopPress, run.untilDate, quotaDefinitions);
    }
    const fxVersions: string[] = [];
    for (const { month, rows } of fxMonths) {
      const source = `ott-api-exchange-rates-${month}`;
      fxVersions.push((await ports.loadFx(source, datasetVersion(source, JSON.stringify(rows)), rows)).version);
    }
    await ports.finish(run.id, { status: 'completed', datasetVersion: loaded.version, fxVersions, stopPress, stats: client.stats });
    return {
      runId: run.id,
      kind: run.kind,
      resumed,
      sinceDate: run.sinceDate,
      untilDate: run.untilDate,
      commodityCodes: loaded.commodityCodes,
      fetched,
      reusedFromStage: reused,
      datasetVersion: loaded.version,
      tariffChanges: loaded.tariffChanges,
      fxVersions,
      stopPress,
      stats: { ...client.stats },
    };
  } catch (e) {
    await ports.finish(run.id, { status: 'failed', error: (e as Error).message, stats: client.stats });
    throw new OttSyncFailed(run.id, e as Error);
  }
}
