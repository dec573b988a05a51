import type { Declaration, DefermentStatementReceived, ErpReceiptLine } from '@customs/contracts';
import type { Transaction } from '@customs/db';
import * as recon from '../db/reconciliation-repo';
import type { ScoringDb } from '../db/migrations';
import { DECLARATION_GRACE_DAYS, RECEIPT_GRACE_DAYS, matchesReceipt } from '../rules/c03-ghost-unmatched-imports';
import { UNKNOWN_MRN_GRACE_DAYS } from '../rules/c42-deferment-reconciliation';
import { decideReconciliation } from '../rules/reconcile';
import { type DefermentFact, defermentFactOf, type ReconDecl, type ReconReceipt, reconDeclOf, reconReceiptOf } from '../rules/reconciliation-types';
import { type Outgoing, type Store, withdrawals } from './ports';
import { rescore } from './rescore';

/** What reconciliation needs from storage, bound to one transaction (SQL in db/reconciliation-repo.ts). */
export type ReconStore = ReturnType<typeof bindReconStore>;

export function bindReconStore(trx: Transaction<ScoringDb>) {
  const bind =
    <A extends unknown[], R>(f: (t: Transaction<ScoringDb>, ...a: A) => R) =>
    (...a: A) =>
      f(trx, ...a);
  return {
    coverage: bind(recon.reconCoverage),
    booksImporters: bind(recon.booksImporters),
    importers: bind(recon.reconImporters),
    upsertDecls: bind(recon.upsertReconDecls),
    watermark: bind(recon.reconWatermark),
    moveWatermark: bind(recon.moveWatermark),
    upsertReceipts: bind(recon.upsertReconReceipts),
    upsertDefermentLines: bind(recon.upsertDefermentLines),
    statementLines: bind(recon.statementLines),
    statementMrns: bind(recon.statementMrns),
    declsMatching: bind(recon.reconDeclsMatching),
    declsAcceptedBetween: bind(recon.reconDeclsAcceptedBetween),
    receiptsMatching: bind(recon.reconReceiptsMatching),
    receiptsDatedBetween: bind(recon.reconReceiptsDatedBetween),
    defermentLinesOf: bind(recon.defermentLinesOf),
    defermentMrnsDatedBetween: bind(recon.defermentMrnsDatedBetween),
    supersedeJudged: bind(recon.supersedeJudged),
  };
}

/** One consumed event of the three reconciliation inputs. */
export type ReconEvent =
  | { eventId: string; kind: 'declaration'; declaration: Declaration }
  | { eventId: string; kind: 'receipts'; tenant: string; lines: readonly ErpReceiptLine[]; declarationsIngested: number }
  | { eventId: string; kind: 'statement'; statement: DefermentStatementReceived };

const tenantOf = (e: ReconEvent) => (e.kind === 'declaration' ? e.declaration.tenantId : e.kind === 'receipts' ? e.tenant : e.statement.tenantId);

/** "YYYY-MM-DD" shifted by whole days (calendar arithmetic in UTC). */
export function addDays(date: string, days: number): string {
  if (!date) return '';
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

type Keys = { invoices: readonly string[]; mrns: readonly string[] };

/**
 * A loader by invoice key and MRN that asks the database only for keys it has not asked yet in
 * this batch, and answers with everything loaded so far (a superset, fine for counterparts).
 */
function memoByKeys<T>(load: (keys: Keys) => Promise<T[]>, idOf: (t: T) => string): (keys: Keys) => Promise<T[]> {
  const asked = { invoices: new Set<string>(), mrns: new Set<string>() };
  const got = new Map<string, T>();
  return async (keys) => {
    const invoices = [...new Set(keys.invoices)].filter((k) => k && !asked.invoices.has(k));
    const mrns = [...new Set(keys.mrns)].filter((k) => k && !asked.mrns.has(k));
    for (const k of invoices) asked.invoices.add(k);
    for (const k of mrns) asked.mrns.add(k);
    if (invoices.length || mrns.length) for (const t of await load({ invoices, mrns })) got.set(idOf(t), t);
    return [...got.values()];
  };
}

const isPseudo = (id: string) => id.startsWith('erp-receipt:') || id.startsWith('mrn:');

function byLatest(decls: Iterable<ReconDecl>): Map<string, ReconDecl> {
  const m = new Map<string, ReconDecl>();
  for (const d of decls) if ((m.get(d.d)?.v ?? -1) < d.v) m.set(d.d, d);
  return m;
}

/**
 * Use case: declarations, ERP receipts or deferment statement parts arrived. Per tenant (under
 * its lock): store them, work out every subject whose verdict may have moved (the arrivals, what
 * they match by invoice or MRN, and what the sources' grown coverage makes judgeable), load
 * their counterparts in one query per kind, run C03 and C42 (pure), supersede the verdicts that
 * no longer hold, store and publish the new findings, and re-score the declarations concerned.
 */
export async function onReconciliationEvents(store: Store, books: ReconStore, events: readonly ReconEvent[], now: string): Promise<Outgoing[]> {
  const out: Outgoing[] = [];
  const byTenant = new Map<string, ReconEvent[]>();
  for (const e of events) byTenant.set(tenantOf(e), [...(byTenant.get(tenantOf(e)) ?? []), e]);
  await store.lockTenants([...byTenant.keys()]);
  for (const [tenant, evs] of [...byTenant.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const parent = evs[0]!.eventId;
    const declsMatching = memoByKeys(
      (k) => books.declsMatching(tenant, k),
      (d) => `${d.d}#${d.v}`,
    );
    const receiptsMatching = memoByKeys(
      (k) => books.receiptsMatching(tenant, k),
      (r) => r.id,
    );
    const before = await books.coverage(tenant);
    const arrivedDecls = byLatest(evs.flatMap((e) => (e.kind === 'declaration' && e.declaration.tenantId === tenant ? [reconDeclOf(e.declaration)] : [])).values());
    const mark = await books.watermark(tenant);
    const { stored: storedDecls, inserted } = await books.upsertDecls(tenant, [...arrivedDecls.values()]);
    const expected = Math.max(0, ...evs.map((e) => (e.kind === 'receipts' ? e.declarationsIngested : e.kind === 'statement' ? e.statement.declarationsIngested : 0) || 0));
    await books.moveWatermark(tenant, inserted, expected);
    const completeBefore = mark.seen >= mark.expected;
    const declarationsComplete = mark.seen + inserted >= Math.max(mark.expected, expected);
    // Every declaration the books were published after is in now: what waited for them is judged.
    const caughtUp = declarationsComplete && !completeBefore;
    const receiptsById = new Map<string, ReconReceipt>();
    for (const e of evs) if (e.kind === 'receipts') for (const l of e.lines) if (l.tenantId === tenant) receiptsById.set(l.receiptId, reconReceiptOf(l));
    const arrivedReceipts = [...receiptsById.values()];
    await books.upsertReceipts(tenant, arrivedReceipts);
    const parts = evs.flatMap((e) =>
      e.kind === 'statement'
        ? [
            {
              statementId: e.statement.statementId,
              totalLines: e.statement.totalLines,
              lines: e.statement.lines.map((l, i) => defermentFactOf(e.statement, e.statement.firstLine + i, l)) as DefermentFact[],
            },
          ]
        : [],
    );
    const linesBefore = await books.statementLines(tenant, [...new Set(parts.map((p) => p.statementId))]);
    const replacedMrns = await books.upsertDefermentLines(tenant, parts);
    const after = await books.coverage(tenant);

    // C03 declarations to judge: new versions, those the new receipts may match, and those the receipts' grown span now covers.
    const declSubjects = byLatest(storedDecls);
    for (const d of await declsMatching({ invoices: arrivedReceipts.map((r) => r.invoiceKey), mrns: arrivedReceipts.map((r) => r.mrn) })) declSubjects.set(d.d, d);
    if (after.receiptsFrom && (after.receiptsFrom !== before.receiptsFrom || after.receiptsTo !== before.receiptsTo)) {
      const judgedTo = addDays(after.receiptsTo, -RECEIPT_GRACE_DAYS);
      const ranges: [string, string][] = before.receiptsFrom
        ? [
            [after.receiptsFrom, addDays(before.receiptsFrom, -1)],
            [addDays(addDays(before.receiptsTo, -RECEIPT_GRACE_DAYS), 1), judgedTo],
          ]
        : [[after.receiptsFrom, judgedTo]];
      for (const [from, to] of ranges) for (const d of await books.declsAcceptedBetween(tenant, from, to)) if (!declSubjects.has(d.d)) declSubjects.set(d.d, d);
    }
    // C03 receipts to judge: the new ones, those the new declarations may match, and those the declarations' grown span now covers.
    const receiptSubjects = new Map(arrivedReceipts.map((r) => [r.id, r]));
    const newDecls = [...declSubjects.values()];
    for (const r of await receiptsMatching({ invoices: storedDecls.flatMap((d) => d.invoices), mrns: storedDecls.map((d) => d.mrn) })) receiptSubjects.set(r.id, r);
    for (const r of await books.receiptsDatedBetween(tenant, caughtUp ? '' : addDays(before.declarationsTo, -DECLARATION_GRACE_DAYS), addDays(after.declarationsTo, -DECLARATION_GRACE_DAYS)))
      receiptSubjects.set(r.id, r);
    // C42 MRNs to judge: a statement's once all its parts are in (an MRN's charges may straddle
    // two parts; a part judged alone would raise a difference the next part takes back), those a
    // corrected statement dropped, the new declarations', and unknown ones now covered.
    // A statement that was complete already (a part sent again or corrected) needs only its parts' MRNs judged.
    const total = new Map(parts.map((p) => [p.statementId, p.totalLines]));
    const stored = await books.statementLines(tenant, [...total.keys()]);
    const isComplete = (m: Map<string, number>, id: string) => (m.get(id) ?? 0) >= total.get(id)!;
    const completed = [...total.keys()].filter((id) => isComplete(stored, id) && !isComplete(linesBefore, id));
    const mrns = new Set<string>([
      ...(await books.statementMrns(tenant, completed)),
      ...parts.filter((p) => isComplete(linesBefore, p.statementId) && isComplete(stored, p.statementId)).flatMap((p) => p.lines.map((l) => l.mrn)),
      ...replacedMrns,
      ...storedDecls.map((d) => d.mrn).filter(Boolean),
    ]);
    for (const m of await books.defermentMrnsDatedBetween(tenant, caughtUp ? '' : addDays(before.declarationsTo, -UNKNOWN_MRN_GRACE_DAYS), addDays(after.declarationsTo, -UNKNOWN_MRN_GRACE_DAYS)))
      mrns.add(m);
    if (declSubjects.size === 0 && receiptSubjects.size === 0 && mrns.size === 0) continue;

    const receiptsOfSubjects = new Map((await receiptsMatching({ invoices: newDecls.flatMap((d) => d.invoices), mrns: newDecls.map((d) => d.mrn) })).map((r) => [r.id, r]));
    const subjectsR = [...receiptSubjects.values()];
    const candidateDecls = byLatest([...(await declsMatching({ invoices: subjectsR.map((r) => r.invoiceKey), mrns: [...subjectsR.map((r) => r.mrn), ...mrns] })), ...storedDecls]);
    const deferment = await books.defermentLinesOf(tenant, [...mrns]);
    // Only an unmatched receipt needs it (a receipt names no importer).
    const importers = subjectsR.length ? await books.importers(tenant) : [];
    // The importers these books are for: every importer with a declaration a loaded receipt matches.
    const loadedReceipts = [...receiptsOfSubjects.values(), ...subjectsR];
    const matched = [...newDecls, ...candidateDecls.values()].filter((d) => d.status !== 'invalidated' && loadedReceipts.some((r) => matchesReceipt(d, r))).map((d) => d.importer);
    const importersWithBooks = await books.booksImporters(tenant, matched);
    const decision = decideReconciliation(
      {
        declarations: newDecls,
        receipts: subjectsR,
        mrns: [...mrns],
        candidates: { declarations: [...candidateDecls.values()], receipts: [...receiptsOfSubjects.values()], deferment },
        coverage: { ...after, declarationsComplete },
        soleImporter: importers.length === 1 ? importers[0]! : '',
        importersWithBooks,
      },
      tenant,
      now.slice(0, 10),
      now,
    );
    const keep = decision.findings.map((f) => f.findingId);
    const moved = new Set<string>();
    const superseded: { declarationId: string; findingId: string }[] = [];
    for (const [rule, subjects] of Object.entries(decision.judged)) superseded.push(...(await books.supersedeJudged(tenant, rule, subjects, keep, now)));
    for (const s of superseded) moved.add(s.declarationId);
    const fresh = await store.insertFindings(decision.findings);
    out.push(...withdrawals(tenant, superseded, 'reconciled again with the importer’s books: the verdict no longer holds', now, parent));
    for (const f of fresh) out.push({ kind: 'finding', finding: f, parentEventId: parent });
    // Declarations whose findings moved are re-scored once history holds their facts; until
    // then the history consumer scores them when it folds them in (it reads these findings too).
    const affected = [...new Set([...fresh.map((f) => f.declarationId), ...moved])].filter((id) => !isPseudo(id));
    const withFacts = [...(await store.loadDeclFacts(tenant, affected)).keys()].sort();
    out.push(...(await rescore(store, tenant, withFacts, now, parent)));
  }
  return out;
}
