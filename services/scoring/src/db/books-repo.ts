import { sql, type Transaction } from '@customs/db';
import type { DefermentFact, ReconReceipt } from '../rules/reconciliation-types';
import type { ScoringDb } from './migrations';

// All SQL of the books views (GET /v1/importers/:id/erp-receipts, /deferment-lines): the ERP
// receipt lines and deferment statement lines reconciliation keeps, one cursor page at a time,
// each with what decides its state (a matching declaration in force, the active C03/C42 finding).
// A receipt names no importer: it is the importer's whose declaration it matches, and an
// unmatched one is the books' importers' (recon_books_importers; the tenant's only importer when
// none is known yet) — `ownsUnmatched` says whether that is the importer asked about.

type Trx = Transaction<ScoringDb>;

export type ReceiptFilter = 'matched' | 'unmatched' | 'not_judged';

/** One page of receipt lines attributed to `importer`, by receipt id after `after`; limit rows. */
export async function receiptPage(
  trx: Trx,
  tenant: string,
  importer: string,
  ownsUnmatched: boolean,
  opts: { after?: string; limit: number; state?: ReceiptFilter },
): Promise<{ receipt: ReconReceipt; matched: boolean; findingId: string | null }[]> {
  const state =
    opts.state === 'matched'
      ? sql`and m.importers is not null`
      : opts.state === 'unmatched'
        ? sql`and m.importers is null and f.finding_id is not null`
        : opts.state === 'not_judged'
          ? sql`and m.importers is null and f.finding_id is null`
          : sql``;
  const r = await sql<{ fact: ReconReceipt; importers: string[] | null; finding_id: string | null }>`
    select r.fact, m.importers, f.finding_id
    from recon_receipts r
    left join lateral (
      select array_agg(distinct d.importer_id) as importers from recon_decls d
      where d.declaration_id in (
          select x.declaration_id from recon_decls x where r.invoice_key <> '' and x.tenant_id = r.tenant_id and x.invoice_keys @> array[r.invoice_key]
          union
          select x.declaration_id from recon_decls x where r.mrn <> '' and x.tenant_id = r.tenant_id and x.mrn = r.mrn)
        and d.tenant_id = r.tenant_id and coalesce(d.fact->>'status', '') <> 'invalidated'
    ) m on true
    left join lateral (
      select h.finding_id from history_findings h
      where h.tenant_id = r.tenant_id and h.active and h.rule_id = 'C03' and h.declaration_id = 'erp-receipt:' || r.receipt_id
      order by h.finding_id limit 1
    ) f on true
    where r.tenant_id = ${tenant} and r.receipt_id > ${opts.after ?? ''}
      and (case when m.importers is null then ${ownsUnmatched} else ${importer} = any(m.importers) end)
      ${state}
    order by r.receipt_id
    limit ${opts.limit}`.execute(trx);
  return r.rows.map((x) => ({ receipt: x.fact, matched: x.importers !== null, findingId: x.finding_id }));
}

export type StatementFilter = 'matched' | 'differs' | 'declaration_missing';

/**
 * One page of deferment statement lines attributed to `importer` (the line's own importer EORI
 * when the statement gives one, else its MRN's declaration's importer, else the books' importers),
 * by (statement, line) after `after`. The state filter goes by the checks' verdict: a declaration
 * in force with / without an active C42 finding, or none.
 */
export async function statementLinePage(
  trx: Trx,
  tenant: string,
  importer: string,
  ownsUnmatched: boolean,
  opts: { after?: [string, number]; limit: number; state?: StatementFilter },
): Promise<{ line: DefermentFact; declarationId: string | null; findingId: string | null }[]> {
  const state =
    opts.state === 'matched'
      ? sql`and d.declaration_id is not null and f.finding_id is null`
      : opts.state === 'differs'
        ? sql`and d.declaration_id is not null and f.finding_id is not null`
        : opts.state === 'declaration_missing'
          ? sql`and d.declaration_id is null`
          : sql``;
  const [s, i] = opts.after ?? ['', -1];
  const r = await sql<{ fact: DefermentFact; declaration_id: string | null; finding_id: string | null }>`
    select l.fact, d.declaration_id, f.finding_id
    from deferment_lines l
    left join lateral (
      select x.declaration_id, x.importer_id from recon_decls x
      where l.mrn <> '' and x.tenant_id = l.tenant_id and x.mrn = l.mrn and coalesce(x.fact->>'status', '') <> 'invalidated'
      order by x.version desc, x.declaration_id limit 1
    ) d on true
    left join lateral (
      select h.finding_id from history_findings h
      where h.tenant_id = l.tenant_id and h.active and h.rule_id = 'C42' and h.declaration_id = coalesce(d.declaration_id, 'mrn:' || l.mrn)
      order by h.finding_id limit 1
    ) f on true
    where l.tenant_id = ${tenant} and (l.statement_id, l.line_index) > (${s}, ${i})
      and (case when coalesce(l.fact->>'importer', '') <> '' then l.fact->>'importer' = ${importer}
                when d.importer_id is not null then d.importer_id = ${importer}
                else ${ownsUnmatched} end)
      ${state}
    order by l.statement_id, l.line_index
    limit ${opts.limit}`.execute(trx);
  return r.rows.map((x) => ({ line: x.fact, declarationId: x.declaration_id, findingId: x.finding_id }));
}
