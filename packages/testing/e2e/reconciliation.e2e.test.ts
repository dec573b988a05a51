// C03 (ghost and unmatched imports) and C42 (duty deferment statement reconciliation) end to end:
// a labelled history goes in as DMS XML over ingestion's REST API, then the importer's books —
// an ERP goods-receipt export and HMRC's duty deferment statement as CSV (datagen generateBooks,
// with injected ghosts, unmatched receipts, overcharges and unknown MRNs) — over the same upload
// channel; through Kafka to scoring, whose findings are read back over its REST API and compared
// with the ground truth (MRN, amounts in pence), and to alerting, where they become alerts.
import { Client } from 'pg';
import { Finding } from '@customs/contracts';
import { generateBooks, generateHistoryDataset, toDmsXml } from '@customs/datagen';
import { waitFor } from '../src';
import { type Platform, startPlatform } from './harness';

const SEED = 20261313;
const BROKER_TOKEN = `broker-${'b'.repeat(20)}`;

describe('C03/C42 through ingestion → Kafka → scoring → alerting (real Kafka and Postgres)', () => {
  let p: Platform;
  beforeAll(async () => {
    // A broker acting for another importer only: the books views must not show it this importer's lines.
    p = await startPlatform('recon', { extraTokens: `${BROKER_TOKEN}=tenant-recon:broker:agent@example.test:GB000000000001` });
  });
  afterAll(async () => {
    await p?.stop();
  });

  const findingsOf = async (rule: string): Promise<Finding[]> => {
    const r = await p.http('scoring', 'GET', `/v1/history-findings?rule=${rule}&limit=1000`);
    expect(r.status).toBe(200);
    return r.body.findings.map((f: unknown) => Finding.fromJSON(f));
  };

  // What the first case leaves behind, for the books views' case.
  let done: { importer: string; books: ReturnType<typeof generateBooks>; c03: Finding[]; c42: Finding[] } | undefined;

  it('finds the injected ghosts, unmatched receipts and deferment mismatches, priced exactly, and raises alerts', async () => {
    const generated = [
      ...generateHistoryDataset({ seed: SEED, declarations: 150, importers: 1, tenantId: p.tenant, historyRates: { C02: 0, C10: 0, C11: 0, C20: 0, C23: 0, C30: 0, C34: 0, C37: 0 } }),
    ];
    const books = generateBooks(
      generated.map((g) => g.declaration),
      { seed: SEED, ghostRate: 0.06, unmatchedRate: 0.03, mismatchRate: 0.15, unknownMrnRate: 0.02 },
    );
    const truth = books.truth;
    expect(truth.filter((t) => t.ruleId === 'C03').length).toBeGreaterThan(2);
    expect(truth.filter((t) => t.ruleId === 'C42').length).toBeGreaterThan(2);

    for (let i = 0; i < generated.length; i += 6) {
      const res = await Promise.all(
        generated.slice(i, i + 6).map((g) => p.http('ingestion', 'POST', `/v1/documents?filename=${g.declaration.declarationId}.xml`, toDmsXml(g.declaration), { token: p.tokens.integrator })),
      );
      for (const r of res) expect([200, 201]).toContain(r.status);
    }
    // The ERP export as erp-csv; the statement as ddes-csv with one bad row (named by row and field).
    const erp = await p.http('ingestion', 'POST', '/v1/documents?format=erp-csv&filename=receipts.csv', books.erpCsv, { token: p.tokens.integrator, contentType: 'text/csv' });
    expect([200, 201]).toContain(erp.status);
    expect(erp.body.receipts).toHaveLength(books.receiptLines);
    const badRow = books.ddesCsv.split('\n').length; // 1-based row of the appended line
    const ddes = await p.http('ingestion', 'POST', '/v1/documents?format=ddes-csv&filename=ddes-2024.csv', `${books.ddesCsv}1234567,24GB00000000000000X,A00,1.00,,\n`, {
      token: p.tokens.integrator,
      contentType: 'text/csv',
    });
    expect(ddes.status).toBeLessThan(300);
    expect(ddes.body.status).toBe('partially_accepted');
    expect(ddes.body.issues.map((i: any) => [i.line, i.field, i.code])).toEqual([[badRow, 'mrn', 'INVALID_VALUE']]);
    expect(ddes.body.statements.reduce((n: number, s: any) => n + s.lines, 0)).toBe(books.statementLines);

    const expectedC03 = truth.filter((t) => t.ruleId === 'C03');
    const expectedC42 = truth.filter((t) => t.ruleId === 'C42');
    // Ingestion assigns its own declaration ids: ghosts and deferment differences compare by MRN,
    // unmatched receipts by their invoice.
    const key03 = (f: Finding) => (f.declarationId.startsWith('erp-receipt:') ? `receipt ${f.evidence.find((e) => e.field === 'erp.invoice')?.value}` : `decl ${f.mrn}`);
    const want03 = (t: (typeof truth)[number]) => (t.declarationId === '' ? `receipt ${t.note.replace(/^.*invoice /, '')}` : `decl ${t.mrn}`);
    const got = async () => ({
      c03: (await findingsOf('C03')).map((f) => [key03(f), f.reclaimDutyPence, f.reclaimVatPence, f.exposureDutyPence]).sort(),
      c42: (await findingsOf('C42')).map((f) => [f.mrn, f.reclaimDutyPence, f.reclaimVatPence, f.exposureDutyPence, f.exposureVatPence]).sort(),
    });
    const want = {
      c03: expectedC03.map((t) => [want03(t), t.reclaimDutyPence, t.reclaimVatPence, 0]).sort(),
      c42: expectedC42.map((t) => [t.mrn, t.reclaimDutyPence, t.reclaimVatPence, 0, 0]).sort(),
    };
    // The three reconciliation consumers (declarations, receipts, statement) progress on their
    // own: a verdict reached before its counterpart arrived is superseded when it does, so the
    // active findings converge on the truth; wait for that (a wrong verdict that stays fails here).
    await waitFor('active C03 and C42 findings equal to the ground truth', async () => JSON.stringify(await got()) === JSON.stringify(want), { timeoutMs: 180_000, intervalMs: 1000 });
    expect(await got()).toEqual(want);
    const c03 = await findingsOf('C03');
    const c42 = await findingsOf('C42');
    for (const f of [...c03, ...c42]) {
      expect(f.source).toBe('scoring');
      expect(f.deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(f.explanation.length).toBeGreaterThan(20);
    }
    // A ghost declaration's finding is in its score (the declaration's lines name the rule).
    const ghost = c03.find((f) => !f.declarationId.startsWith('erp-receipt:'))!;
    const lines = await p.http('scoring', 'GET', `/v1/declarations/${ghost.declarationId}/scored-lines`);
    expect(lines.status).toBe(200);
    expect(JSON.stringify(lines.body)).toContain(ghost.findingId);

    // Sending the same books again changes nothing: no new findings.
    await p.http('ingestion', 'POST', '/v1/documents?format=erp-csv&filename=receipts.csv', books.erpCsv, { token: p.tokens.integrator, contentType: 'text/csv' });
    await p.http('ingestion', 'POST', '/v1/documents?format=ddes-csv&filename=ddes-2024.csv', books.ddesCsv, { token: p.tokens.integrator, contentType: 'text/csv' });

    // Alerting's finding_match rules raise an alert per finding (AR-001: medium or higher).
    await waitFor(
      'alerts for the C03 and C42 findings',
      async () => {
        const a03 = await p.http('alerting', 'GET', '/v1/alerts?q=C03&limit=1000');
        const a42 = await p.http('alerting', 'GET', '/v1/alerts?q=C42&limit=1000');
        return (a03.body?.alerts ?? []).length >= c03.length && (a42.body?.alerts ?? []).length >= c42.length;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const admin = new Client({ connectionString: p.db.adminUrl });
    await admin.connect();
    const superseded = (
      await admin.query(
        "select rule_id, split_part(declaration_id, ':', 1) as kind, count(*)::int as n, min(superseded_at - raised_at)::text as min_life, max(superseded_at - raised_at)::text as max_life from scoring.history_findings where not active and rule_id in ('C03', 'C42') group by 1, 2",
      )
    ).rows;
    await admin.end();
    // Nothing was published that had to be taken back: absence verdicts wait until every
    // declaration ingested before the books has reached scoring (the books events carry the count).
    expect(superseded).toEqual([]);
    expect((await findingsOf('C03')).map((f) => f.findingId).sort()).toEqual(c03.map((f) => f.findingId).sort());
    expect((await findingsOf('C42')).map((f) => f.findingId).sort()).toEqual(c42.map((f) => f.findingId).sort());
    done = { importer: generated[0]!.declaration.importerEori, books, c03, c42 };
  });

  it('shows the books side over REST: every receipt line and statement line with its reconciliation state, in cursor pages and as CSV', async () => {
    expect(done).toBeDefined();
    const { importer, books, c03, c42 } = done!;
    const walk = async (path: string, key: string, limit: number) => {
      const all: any[] = [];
      let next: string | null = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}`;
      let pages = 0;
      while (next) {
        const r = await p.http('scoring', 'GET', next);
        expect(r.status).toBe(200);
        expect(r.body.importerId).toBe(importer);
        all.push(...r.body[key]);
        next = r.body.next;
        pages++;
      }
      return { all, pages };
    };
    // Every receipt line of the books is the importer's (matched to its declarations, or unmatched: it is the only importer).
    const receipts = await walk(`/v1/importers/${importer}/erp-receipts`, 'receipts', 97);
    expect(receipts.pages).toBeGreaterThan(1);
    expect(receipts.all).toHaveLength(books.receiptLines);
    expect(new Set(receipts.all.map((r) => r.receiptId)).size).toBe(books.receiptLines);
    const unmatched = receipts.all.filter((r) => r.state === 'unmatched');
    const wantUnmatched = books.truth.filter((t) => t.ruleId === 'C03' && t.declarationId === '').map((t) => t.note.replace(/^.*invoice /, ''));
    expect(unmatched.map((r) => r.invoice).sort()).toEqual(wantUnmatched.sort());
    // Each unmatched line names its active C03 finding; each matched one the declaration (by MRN) it matched.
    const c03Ids = new Set(c03.map((f) => f.findingId));
    for (const r of unmatched) expect(c03Ids.has(r.findingId)).toBe(true);
    const matched = receipts.all.filter((r) => r.state === 'matched');
    expect(matched.length + unmatched.length + receipts.all.filter((r) => r.state === 'not_judged').length).toBe(books.receiptLines);
    expect(matched.length).toBeGreaterThan(books.receiptLines / 2);
    for (const r of matched) {
      expect(r.matchedDeclarations.length).toBeGreaterThan(0);
      expect(r.matchedDeclarations[0].importerId).toBe(importer);
      expect(r.reason).toMatch(/^matched by (invoice|MRN)/);
    }
    // Lines not judged say why (receipts dated too close to the latest declaration).
    for (const r of receipts.all.filter((x) => x.state === 'not_judged')) expect(r.reason).toMatch(/declarations reach|not an import|no receipt or invoice date/);
    // The state filter gives the same lines.
    const onlyUnmatched = await walk(`/v1/importers/${importer}/erp-receipts?state=unmatched`, 'receipts', 500);
    expect(onlyUnmatched.all.map((r) => r.receiptId).sort()).toEqual(unmatched.map((r) => r.receiptId).sort());

    // Statement lines: every line, differences priced per MRN, unknown MRNs with their finding.
    const lines = await walk(`/v1/importers/${importer}/deferment-lines`, 'lines', 113);
    const stored = new Set(lines.all.map((l) => `${l.statementId}#${l.lineIndex}`));
    expect(stored.size).toBe(lines.all.length);
    expect(lines.all.length).toBeGreaterThanOrEqual(books.statementLines);
    const byMrn = (state: string) => [...new Set(lines.all.filter((l) => l.state === state).map((l) => l.mrn))].sort();
    const truth42 = books.truth.filter((t) => t.ruleId === 'C42');
    expect(byMrn('differs')).toEqual(
      truth42
        .filter((t) => !t.declarationId.startsWith('mrn:'))
        .map((t) => t.mrn)
        .sort(),
    );
    expect(byMrn('declaration_missing')).toEqual(
      truth42
        .filter((t) => t.declarationId.startsWith('mrn:'))
        .map((t) => t.mrn)
        .sort(),
    );
    const c42Ids = new Set(c42.map((f) => f.findingId));
    for (const t of truth42.filter((x) => !x.declarationId.startsWith('mrn:'))) {
      const l = lines.all.find((x) => x.mrn === t.mrn && x.taxType === 'A00')!;
      expect([l.dutyDifferencePence, l.vatDifferencePence]).toEqual([t.reclaimDutyPence, 0]);
      expect(c42Ids.has(l.findingId)).toBe(true);
      expect(l.reason).toContain('more than declared');
    }
    for (const l of lines.all.filter((x) => x.state === 'declaration_missing')) {
      expect(c42Ids.has(l.findingId)).toBe(true);
      expect(l.declaredDutyPence).toBeNull();
    }
    for (const l of lines.all.filter((x) => x.state === 'matched')) expect(Math.abs(l.dutyDifferencePence) + Math.abs(l.vatDifferencePence)).toBeLessThan(200);
    const onlyDiffers = await walk(`/v1/importers/${importer}/deferment-lines?state=differs`, 'lines', 500);
    expect([...new Set(onlyDiffers.all.map((l) => l.mrn))].sort()).toEqual(byMrn('differs'));

    // CSV: the page as RFC 4180 rows with a header, the next page in a Link header.
    const csv = await fetch(`${p.services.scoring.httpUrl}/v1/importers/${importer}/erp-receipts?state=unmatched&limit=2`, {
      headers: { authorization: `Bearer ${p.tokens.analyst}`, accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows[0]).toBe('receiptId,supplier,sku,invoice,line,quantity,unit,value,currency,mrn,date,origin,state,matchedDeclarations,findingId,reason');
    expect(rows).toHaveLength(1 + Math.min(2, unmatched.length));
    if (unmatched.length > 2) expect(csv.headers.get('link')).toMatch(/cursor=.*rel="next"/);
    const csvLines = await fetch(`${p.services.scoring.httpUrl}/v1/importers/${importer}/deferment-lines?state=differs`, {
      headers: { authorization: `Bearer ${p.tokens.analyst}`, accept: 'text/csv' },
    });
    expect((await csvLines.text()).split('\r\n')[0]).toContain('dutyDifferencePence');

    // Refusals: a bad state or cursor names the parameter; a broker for another importer sees nothing; an integrator is refused.
    const bad = await p.http('scoring', 'GET', `/v1/importers/${importer}/erp-receipts?state=lost`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('state');
    const badCursor = await p.http('scoring', 'GET', `/v1/importers/${importer}/deferment-lines?cursor=abc`);
    expect([bad.status, badCursor.status, badCursor.body.error]).toEqual([400, 400, 'invalid_cursor']);
    expect((await p.http('scoring', 'GET', `/v1/importers/${importer}/erp-receipts`, undefined, { token: BROKER_TOKEN })).status).toBe(404);
    expect((await p.http('scoring', 'GET', `/v1/importers/${importer}/deferment-lines`, undefined, { token: BROKER_TOKEN })).status).toBe(404);
    expect((await p.http('scoring', 'GET', `/v1/importers/${importer}/erp-receipts`, undefined, { token: p.tokens.integrator })).status).toBe(403);
  });
});
