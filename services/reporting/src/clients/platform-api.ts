// Adapter: scoring's and alerting's public REST APIs, read with the caller's token. An answer
// that is missing (404: no history yet), refused or unreachable becomes "not available" with
// the reason — the board report shows that, never a number it did not get.
import type { BoardAlert, BoardInput, Unavailable } from '../policies/board';
import type { PlatformReads } from '../app/ports';

type Json = Record<string, unknown>;

async function getJson(url: string, bearer: string): Promise<{ ok: true; body: Json } | Unavailable> {
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${bearer}` }, signal: AbortSignal.timeout(30_000) });
    if (res.status === 404) return { available: false, reason: `${new URL(url).pathname}: ${((await res.json().catch(() => ({}))) as Json).message ?? 'not found'}` };
    if (!res.ok) return { available: false, reason: `${new URL(url).pathname} answered ${res.status}` };
    return { ok: true, body: (await res.json()) as Json };
  } catch (e) {
    return { available: false, reason: `${new URL(url).pathname} unreachable (${(e as Error).message})` };
  }
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

export class PlatformApi implements PlatformReads {
  constructor(private readonly urls: { alerting: string; scoring: string; ingestion: string }) {}

  async declaration(bearer: string, id: string): Promise<{ available: true; body: unknown } | Unavailable> {
    const r = await getJson(`${this.urls.ingestion}/v1/declarations/${encodeURIComponent(id)}`, bearer);
    return 'ok' in r ? { available: true, body: r.body } : r;
  }

  async openAlerts(bearer: string, importer: string): Promise<BoardInput['alerts']> {
    const open: BoardAlert[] = [];
    let cursor: string | null = null;
    // Pages of 1000, bounded: a tenant with more open alerts than this is reported on its top 20,000 by £.
    for (let page = 0; page < 20; page++) {
      const q = new URLSearchParams({ importer, state: 'new,acknowledged,in_progress', sort: 'money', limit: '1000' });
      if (cursor) q.set('cursor', cursor);
      const r = await getJson(`${this.urls.alerting}/v1/alerts?${q}`, bearer);
      if (!('ok' in r)) return r;
      const alerts = (r.body.alerts as Json[]) ?? [];
      for (const a of alerts)
        open.push({
          alertId: str(a.alertId),
          title: str(a.title),
          severity: str(a.severity),
          status: str(a.statusName),
          assignee: str(a.assignee),
          moneyAtStakePence: num(a.moneyAtStakePence),
          exposurePence: num(a.exposurePence),
          reclaimPence: num(a.reclaimPence),
          deadline: str(a.deadline),
          declarantId: str(a.declarantId),
          mrn: str(a.mrn),
        });
      cursor = (r.body.nextCursor as string | null) ?? null;
      if (!cursor || alerts.length < 1000) break;
    }
    return { available: true, open };
  }

  async readiness(bearer: string, importer: string): Promise<BoardInput['readiness']> {
    const r = await getJson(`${this.urls.scoring}/v1/importers/${encodeURIComponent(importer)}/readiness`, bearer);
    if (!('ok' in r)) return r;
    const dims = ((r.body.dimensions as Json[]) ?? []).map((d) => ({ dimension: str(d.dimension), score: num(d.score), known: d.known === true, atRiskPence: num(d.atRiskPence) }));
    return { available: true, score: num(r.body.score), explanation: str(r.body.explanation), dimensions: dims };
  }

  async trend(bearer: string, importer: string): Promise<BoardInput['trend']> {
    const r = await getJson(`${this.urls.scoring}/v1/trends/importer/${encodeURIComponent(importer)}`, bearer);
    if (!('ok' in r)) return r;
    return { available: true, points: ((r.body.points as Json[]) ?? []).map((p) => ({ month: str(p.month), score: num(p.score) })) };
  }

  async dum(bearer: string, importer: string): Promise<BoardInput['dum']> {
    const r = await getJson(`${this.urls.scoring}/v1/importers/${encodeURIComponent(importer)}/duty-under-management`, bearer);
    if (!('ok' in r)) return r;
    return {
      available: true,
      metrics: ((r.body.metrics as Json[]) ?? []).map((m) => ({ name: str(m.name), value: str(m.value), unit: str(m.unit), known: m.known === true, explanation: str(m.explanation) })),
    };
  }

  async scorecards(bearer: string): Promise<BoardInput['scorecards']> {
    // Cursor pages: follow `next` (a path on scoring, same filters) until it is null.
    const cards: { agentId: string; score: number }[] = [];
    let month: string | null = null;
    let next: string | null = '/v1/scorecards/brokers?limit=1000';
    for (let page = 0; next && page < 100; page++) {
      const r = await getJson(`${this.urls.scoring}${next}`, bearer);
      if (!('ok' in r)) return r;
      month = (r.body.month as string | null) ?? null;
      for (const c of (r.body.scorecards as Json[]) ?? []) cards.push({ agentId: str(c.agentId), score: num(c.score) });
      next = typeof r.body.next === 'string' && r.body.next.startsWith('/v1/scorecards/brokers?') ? r.body.next : null;
    }
    return { available: true, month, cards };
  }
}
