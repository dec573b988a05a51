// Adapter: the tenant's current findings from alerting's public findings feed
// (GET /v1/findings-feed, raised/withdrawn after a cursor), folded into the live set. Reporting
// never reads another service's database; the caller's own bearer token scopes the read.
import type { DraftFinding } from '../policies/drafts';
import type { FindingsSource } from '../app/ports';

interface FeedPage {
  findings: { cursor: number | string; change: 'raised' | 'withdrawn'; finding: Record<string, unknown> }[];
  nextCursor: number | string;
}

export class UpstreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function toDraftFinding(f: Record<string, unknown>): DraftFinding {
  return {
    findingId: str(f.findingId),
    declarationId: str(f.declarationId),
    mrn: str(f.mrn),
    itemNumber: num(f.itemNumber),
    ruleId: str(f.ruleId),
    ruleVersion: str(f.ruleVersion),
    title: str(f.title),
    importerEori: str(f.importerEori),
    declarantId: str(f.declarantId),
    commodityCode: str(f.commodityCode),
    cpc: str(f.cpc),
    acceptanceDate: str(f.acceptanceDate),
    deadline: str(f.deadline),
    exposureDutyPence: num(f.exposureDutyPence),
    exposureVatPence: num(f.exposureVatPence),
    reclaimDutyPence: num(f.reclaimDutyPence),
    reclaimVatPence: num(f.reclaimVatPence),
    evidence: Array.isArray(f.evidence) ? f.evidence.map((e: Record<string, unknown>) => ({ field: str(e.field), value: str(e.value), note: str(e.note) })) : [],
    explanation: str(f.explanation),
    correctionRoute: str(f.correctionRoute),
    family: str(f.family),
    severity: str(f.severity),
    raisedAt: str(f.raisedAt),
  };
}

export class AlertingFindingsFeed implements FindingsSource {
  constructor(
    private readonly baseUrl: string,
    private readonly pageSize = 1000,
  ) {}

  async currentFindings(bearer: string): Promise<{ findings: DraftFinding[]; cursor: number }> {
    const live = new Map<string, DraftFinding>();
    let cursor = 0;
    for (;;) {
      const res = await fetch(`${this.baseUrl}/v1/findings-feed?after_cursor=${cursor}&limit=${this.pageSize}`, {
        headers: { authorization: `Bearer ${bearer}` },
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) throw new UpstreamError(res.status, `alerting findings feed answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const page = (await res.json()) as FeedPage;
      for (const e of page.findings) {
        const id = str(e.finding.findingId);
        if (e.change === 'withdrawn') live.delete(id);
        else live.set(id, toDraftFinding(e.finding));
      }
      // Cursors are bigints; JSON may carry them as strings.
      const next = num(page.nextCursor);
      if (page.findings.length < this.pageSize || next <= cursor) return { findings: [...live.values()], cursor: Math.max(next, cursor) };
      cursor = next;
    }
  }
}
