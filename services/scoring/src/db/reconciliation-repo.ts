import { enableTenantRls, type Migration, sql, type Transaction } from '@customs/db';
import type { DefermentFact, ReconDecl, ReconReceipt } from '../rules/reconciliation-types';
import type { ScoringDb } from './migrations';
import type { Withdrawn } from './history-repo';

// All SQL of reconciliation (C03, C42): the importer's declarations as reconciliation sees them,
// its ERP goods receipts and its deferment statement lines, each read by key for a whole batch
// (invoice keys, MRNs, date ranges): one query per kind, never one per event.

type Trx = Transaction<ScoringDb>;

export const reconciliationMigration: Migration = {
  async up(db) {
    await sql`
      create table recon_decls (
        tenant_id text not null,
        declaration_id text not null,
        version int not null,
        mrn text not null,
        importer_id text not null,
        acceptance_date text not null,
        invoice_keys text[] not null,
        fact json not null,
        primary key (tenant_id, declaration_id)
      )`.execute(db);
    await sql`create index recon_decls_mrn on recon_decls (tenant_id, mrn) where mrn <> ''`.execute(db);
    await sql`create index recon_decls_invoices on recon_decls using gin (invoice_keys)`.execute(db);
    await sql`create index recon_decls_date on recon_decls (tenant_id, acceptance_date)`.execute(db);
    await sql`
      create table recon_receipts (
        tenant_id text not null,
        receipt_id text not null,
        invoice_key text not null,
        mrn text not null,
        receipt_date text not null,
        fact json not null,
        primary key (tenant_id, receipt_id)
      )`.execute(db);
    await sql`create index recon_receipts_invoice on recon_receipts (tenant_id, invoice_key)`.execute(db);
    await sql`create index recon_receipts_mrn on recon_receipts (tenant_id, mrn) where mrn <> ''`.execute(db);
    await sql`create index recon_receipts_date on recon_receipts (tenant_id, receipt_date)`.execute(db);
    await sql`
      create table deferment_lines (
        tenant_id text not null,
        statement_id text not null,
        line_index int not null,
        dan text not null,
        mrn text not null,
        line_date text not null,
        fact json not null,
        primary key (tenant_id, statement_id, line_index)
      )`.execute(db);
    await sql`create index deferment_lines_mrn on deferment_lines (tenant_id, mrn)`.execute(db);
    await sql`create index deferment_lines_date on deferment_lines (tenant_id, line_date)`.execute(db);
    for (const t of ['recon_decls', 'recon_receipts', 'deferment_lines']) await enableTenantRls(db, t);
  },
};

/** The tenant's importers are read by their lowest and highest id: an index makes that two probes, not a scan. */
export const reconciliationImporterIndexMigration: Migration = {
  async up(db) {
    await sql`create index recon_decls_importer on recon_decls (tenant_id, importer_id)`.execute(db);
  },
};

/**
 * Per tenant: how many distinct declarations the books said ingestion held when it published them
 * (the highest such count) and how many reconciliation has seen. An absence verdict (a receipt
 * or a charged MRN with no declaration) waits until seen ≥ expected.
 */
export const reconciliationWatermarkMigration: Migration = {
  async up(db) {
    await sql`
      create table recon_tenants (
        tenant_id text primary key,
        declarations_expected bigint not null default 0,
        declarations_seen bigint not null default 0
      )`.execute(db);
    await sql`insert into recon_tenants (tenant_id, declarations_seen) select tenant_id, count(*) from recon_decls group by tenant_id`.execute(db);
    await enableTenantRls(db, 'recon_tenants');
  },
};

/** The importers a tenant's ERP books are for: each importer with a declaration some receipt matched (C03 judges ghosts only for them). */
export const reconBooksImportersMigration: Migration = {
  async up(db) {
    await sql`create table recon_books_importers (tenant_id text not null, importer_id text not null, primary key (tenant_id, importer_id))`.execute(db);
    await enableTenantRls(db, 'recon_books_importers');
  },
};

/** Records importers seen matched by a receipt, and answers every importer the tenant's books are for (a handful of rows). */
export async function booksImporters(trx: Trx, tenant: string, matched: readonly string[]): Promise<string[]> {
  const fresh = [...new Set(matched.filter(Boolean))];
  if (fresh.length) {
    await sql`insert into recon_books_importers (tenant_id, importer_id) select ${tenant}, unnest(${fresh}::text[]) on conflict do nothing`.execute(trx);
  }
  const r = await sql<{ importer_id: string }>`select importer_id from recon_books_importers where tenant_id = ${tenant}`.execute(trx);
  return r.rows.map((x) => x.importer_id);
}

export async function reconWatermark(trx: Trx, tenant: string): Promise<{ expected: number; seen: number }> {
  const r = await sql<{ e: string; s: string }>`select declarations_expected as e, declarations_seen as s from recon_tenants where tenant_id = ${tenant}`.execute(trx);
  return { expected: Number(r.rows[0]?.e ?? 0), seen: Number(r.rows[0]?.s ?? 0) };
}

/** Counts newly seen declarations and raises the expected count to what the books said (never lowers it). */
export async function moveWatermark(trx: Trx, tenant: string, newlySeen: number, expected: number): Promise<void> {
  if (newlySeen === 0 && expected === 0) return;
  await sql`
    insert into recon_tenants (tenant_id, declarations_expected, declarations_seen) values (${tenant}, ${expected}, ${newlySeen})
    on conflict (tenant_id) do update set declarations_expected = greatest(recon_tenants.declarations_expected, excluded.declarations_expected),
      declarations_seen = recon_tenants.declarations_seen + excluded.declarations_seen`.execute(trx);
}

/** How far each source reaches for a tenant: receipts' earliest and latest date, declarations' latest acceptance date. */
export async function reconCoverage(trx: Trx, tenant: string): Promise<{ receiptsFrom: string; receiptsTo: string; declarationsTo: string }> {
  const r = await sql<{ rf: string | null; rt: string | null; dt: string | null }>`
    select (select min(receipt_date) from recon_receipts where tenant_id = ${tenant} and receipt_date <> '') as rf,
           (select max(receipt_date) from recon_receipts where tenant_id = ${tenant} and receipt_date <> '') as rt,
           (select max(acceptance_date) from recon_decls where tenant_id = ${tenant} and acceptance_date <> '') as dt`.execute(trx);
  const row = r.rows[0];
  return { receiptsFrom: row?.rf ?? '', receiptsTo: row?.rt ?? '', declarationsTo: row?.dt ?? '' };
}

/** The tenant's importers, at most two (a receipt names none: one importer is then its importer). */
export async function reconImporters(trx: Trx, tenant: string): Promise<string[]> {
  // The lowest and the highest importer id (two index probes, recon_decls_importer): equal means one importer.
  const r = await sql<{ lo: string | null; hi: string | null }>`
    select (select min(importer_id) from recon_decls where tenant_id = ${tenant} and importer_id > '') as lo,
           (select max(importer_id) from recon_decls where tenant_id = ${tenant} and importer_id > '') as hi`.execute(trx);
  const { lo, hi } = r.rows[0] ?? { lo: null, hi: null };
  return [...new Set([lo, hi].filter((x): x is string => !!x))];
}

/** Stores declaration versions (a version older than the one stored changes nothing); returns the ones stored and how many declarations are new. */
export async function upsertReconDecls(trx: Trx, tenant: string, decls: readonly ReconDecl[]): Promise<{ stored: ReconDecl[]; inserted: number }> {
  if (decls.length === 0) return { stored: [], inserted: 0 };
  const rows = decls.map((d) => ({ id: d.d, v: d.v, mrn: d.mrn, imp: d.importer, ad: d.date, inv: d.invoices, fact: d }));
  const r = await sql<{ declaration_id: string; inserted: boolean }>`
    insert into recon_decls (tenant_id, declaration_id, version, mrn, importer_id, acceptance_date, invoice_keys, fact)
    select ${tenant}, t.id, t.v, t.mrn, t.imp, t.ad, array(select json_array_elements_text(t.inv)), t.fact
    from json_to_recordset(${JSON.stringify(rows)}::json) as t(id text, v int, mrn text, imp text, ad text, inv json, fact json)
    on conflict (tenant_id, declaration_id) do update set version = excluded.version, mrn = excluded.mrn, importer_id = excluded.importer_id,
      acceptance_date = excluded.acceptance_date, invoice_keys = excluded.invoice_keys, fact = excluded.fact
      where recon_decls.version < excluded.version
    returning declaration_id, (xmax = 0) as inserted`.execute(trx);
  const stored = new Set(r.rows.map((x) => x.declaration_id));
  return { stored: decls.filter((d) => stored.has(d.d)), inserted: r.rows.filter((x) => x.inserted).length };
}

export async function upsertReconReceipts(trx: Trx, tenant: string, receipts: readonly ReconReceipt[]): Promise<void> {
  if (receipts.length === 0) return;
  const rows = receipts.map((r) => ({ id: r.id, k: r.invoiceKey, mrn: r.mrn, dt: r.date, fact: r }));
  await sql`
    insert into recon_receipts (tenant_id, receipt_id, invoice_key, mrn, receipt_date, fact)
    select ${tenant}, t.id, t.k, t.mrn, t.dt, t.fact from json_to_recordset(${JSON.stringify(rows)}::json) as t(id text, k text, mrn text, dt text, fact json)
    on conflict (tenant_id, receipt_id) do update set invoice_key = excluded.invoice_key, mrn = excluded.mrn, receipt_date = excluded.receipt_date, fact = excluded.fact`.execute(trx);
}

/**
 * Stores a statement part's lines at their positions and drops the statement's lines past its
 * total (a corrected statement with fewer lines); returns the MRNs whose lines were there before
 * the drop (they must be judged again).
 */
export async function upsertDefermentLines(trx: Trx, tenant: string, parts: readonly { statementId: string; totalLines: number; lines: readonly DefermentFact[] }[]): Promise<string[]> {
  const dropped = new Set<string>();
  const rows = parts.flatMap((p) => p.lines.map((l) => ({ s: l.statementId, i: l.index, dan: l.dan, mrn: l.mrn, dt: l.date || l.periodTo, fact: l })));
  for (const p of parts) {
    const r = await sql<{ mrn: string }>`delete from deferment_lines where tenant_id = ${tenant} and statement_id = ${p.statementId} and line_index >= ${p.totalLines} returning mrn`.execute(trx);
    for (const x of r.rows) dropped.add(x.mrn);
  }
  // A part's lines are contiguous positions [first, first + n): what they overwrite is one range scan of the key.
  for (const p of parts) {
    if (p.lines.length === 0) continue;
    const first = Math.min(...p.lines.map((l) => l.index));
    const last = Math.max(...p.lines.map((l) => l.index));
    const r = await sql<{ mrn: string }>`select distinct mrn from deferment_lines where tenant_id = ${tenant} and statement_id = ${p.statementId} and line_index between ${first} and ${last}`.execute(
      trx,
    );
    for (const x of r.rows) dropped.add(x.mrn);
  }
  if (rows.length) {
    await sql`
      insert into deferment_lines (tenant_id, statement_id, line_index, dan, mrn, line_date, fact)
      select ${tenant}, t.s, t.i, t.dan, t.mrn, t.dt, t.fact from json_to_recordset(${JSON.stringify(rows)}::json) as t(s text, i int, dan text, mrn text, dt text, fact json)
      on conflict (tenant_id, statement_id, line_index) do update set dan = excluded.dan, mrn = excluded.mrn, line_date = excluded.line_date, fact = excluded.fact`.execute(trx);
  }
  return [...dropped];
}

/** Lines stored per statement, and the MRNs of those given as complete (one query each). */
export async function statementLines(trx: Trx, tenant: string, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const r = await sql<{ statement_id: string; n: number }>`
    select statement_id, count(*)::int as n from deferment_lines where tenant_id = ${tenant} and statement_id = any(${[...ids]}::text[]) group by statement_id`.execute(trx);
  return new Map(r.rows.map((x) => [x.statement_id, x.n]));
}

export async function statementMrns(trx: Trx, tenant: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ mrn: string }>`select distinct mrn from deferment_lines where tenant_id = ${tenant} and statement_id = any(${[...ids]}::text[])`.execute(trx);
  return r.rows.map((x) => x.mrn);
}

/** Declarations citing any of the invoice keys or carrying any of the MRNs. */
export async function reconDeclsMatching(trx: Trx, tenant: string, keys: { invoices: readonly string[]; mrns: readonly string[] }): Promise<ReconDecl[]> {
  const invoices = [...new Set(keys.invoices)].filter(Boolean);
  const mrns = [...new Set(keys.mrns)].filter(Boolean);
  if (invoices.length === 0 && mrns.length === 0) return [];
  // Two index scans (GIN on the invoice keys, btree on the MRN) rather than one OR that neither index serves.
  const r = await sql<{ fact: ReconDecl }>`
    select fact from recon_decls where declaration_id in (
      select declaration_id from recon_decls where tenant_id = ${tenant} and invoice_keys && ${invoices}::text[]
      union
      select declaration_id from recon_decls where tenant_id = ${tenant} and mrn <> '' and mrn = any(${mrns}::text[])) and tenant_id = ${tenant}`.execute(trx);
  return r.rows.map((x) => x.fact);
}

/** Declarations accepted in [from, to] that cite an invoice (C03 judges those once receipts cover their date). */
export async function reconDeclsAcceptedBetween(trx: Trx, tenant: string, from: string, to: string): Promise<ReconDecl[]> {
  if (!from || !to || from > to) return [];
  const r = await sql<{ fact: ReconDecl }>`
    select fact from recon_decls where tenant_id = ${tenant} and acceptance_date between ${from} and ${to} and cardinality(invoice_keys) > 0`.execute(trx);
  return r.rows.map((x) => x.fact);
}

export async function reconDeclsById(trx: Trx, tenant: string, ids: readonly string[]): Promise<ReconDecl[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ fact: ReconDecl }>`select fact from recon_decls where tenant_id = ${tenant} and declaration_id = any(${[...ids]}::text[])`.execute(trx);
  return r.rows.map((x) => x.fact);
}

/** Receipts citing any of the invoice keys or carrying any of the MRNs. */
export async function reconReceiptsMatching(trx: Trx, tenant: string, keys: { invoices: readonly string[]; mrns: readonly string[] }): Promise<ReconReceipt[]> {
  const invoices = [...new Set(keys.invoices)].filter(Boolean);
  const mrns = [...new Set(keys.mrns)].filter(Boolean);
  if (invoices.length === 0 && mrns.length === 0) return [];
  const r = await sql<{ fact: ReconReceipt }>`
    select fact from recon_receipts where tenant_id = ${tenant} and invoice_key = any(${invoices}::text[])
    union all
    select fact from recon_receipts where tenant_id = ${tenant} and mrn <> '' and mrn = any(${mrns}::text[]) and not (invoice_key = any(${invoices}::text[]))`.execute(trx);
  return r.rows.map((x) => x.fact);
}

/** Receipts dated in (after, upTo] (C03 judges them once declarations cover their date). */
export async function reconReceiptsDatedBetween(trx: Trx, tenant: string, after: string, upTo: string): Promise<ReconReceipt[]> {
  if (!upTo || after >= upTo) return [];
  const r = await sql<{ fact: ReconReceipt }>`
    select fact from recon_receipts where tenant_id = ${tenant} and receipt_date <> '' and receipt_date > ${after} and receipt_date <= ${upTo}`.execute(trx);
  return r.rows.map((x) => x.fact);
}

/** Deferment statement lines of the MRNs given. */
export async function defermentLinesOf(trx: Trx, tenant: string, mrns: readonly string[]): Promise<DefermentFact[]> {
  const m = [...new Set(mrns)].filter(Boolean);
  if (m.length === 0) return [];
  const r = await sql<{ fact: DefermentFact }>`select fact from deferment_lines where tenant_id = ${tenant} and mrn = any(${m}::text[]) order by statement_id, line_index`.execute(trx);
  return r.rows.map((x) => x.fact);
}

/** MRNs charged on a date in (after, upTo] (C42 judges an unknown MRN once declarations cover its date). */
export async function defermentMrnsDatedBetween(trx: Trx, tenant: string, after: string, upTo: string): Promise<string[]> {
  if (!upTo || after >= upTo) return [];
  const r = await sql<{ mrn: string }>`select distinct mrn from deferment_lines where tenant_id = ${tenant} and line_date <> '' and line_date > ${after} and line_date <= ${upTo}`.execute(trx);
  return r.rows.map((x) => x.mrn);
}

/**
 * Supersedes the active findings of a rule on the subjects judged, except those just decided
 * (kept by id); returns those superseded (on declaration ids or pseudo-ids).
 */
export async function supersedeJudged(trx: Trx, tenant: string, ruleId: string, subjects: readonly string[], keep: readonly string[], now: string): Promise<Withdrawn[]> {
  if (subjects.length === 0) return [];
  const r = await sql<{ declaration_id: string; finding_id: string }>`
    update history_findings set active = false, superseded_at = ${now}
    where tenant_id = ${tenant} and active and rule_id = ${ruleId} and declaration_id = any(${[...subjects]}::text[]) and not (finding_id = any(${[...keep]}::text[]))
    returning declaration_id, finding_id`.execute(trx);
  return r.rows.map((x) => ({ declarationId: x.declaration_id, findingId: x.finding_id }));
}
