import type { Transaction } from '@customs/db';
import * as booksRepo from '../db/books-repo';
import type { ScoringDb } from '../db/migrations';
import * as recon from '../db/reconciliation-repo';
import { type BooksCoverage, receiptView, statementLineView } from '../rules/books-view';
import type { ReconDecl } from '../rules/reconciliation-types';

// Use cases behind the books views: a page of the importer's ERP receipt lines or deferment
// statement lines with each line's reconciliation state (rules/books-view.ts decides it from the
// counterparts loaded here: one query per kind for the page, never one per line).

export type BooksReadStore = ReturnType<typeof bindBooksReadStore>;

export function bindBooksReadStore(trx: Transaction<ScoringDb>) {
  const bind =
    <A extends unknown[], R>(f: (t: Transaction<ScoringDb>, ...a: A) => R) =>
    (...a: A) =>
      f(trx, ...a);
  return {
    receiptPage: bind(booksRepo.receiptPage),
    statementLinePage: bind(booksRepo.statementLinePage),
    booksImporters: bind(recon.booksImporters),
    importers: bind(recon.reconImporters),
    coverage: bind(recon.reconCoverage),
    watermark: bind(recon.reconWatermark),
    declsMatching: bind(recon.reconDeclsMatching),
    declsById: bind(recon.reconDeclsById),
    defermentLinesOf: bind(recon.defermentLinesOf),
  };
}

/** Whether unmatched books lines (no declaration to name an importer) are this importer's: it is one the books are for, or the tenant's only importer. */
async function ownsUnmatched(st: BooksReadStore, tenant: string, importer: string): Promise<boolean> {
  const books = await st.booksImporters(tenant, []);
  if (books.length) return books.includes(importer);
  const all = await st.importers(tenant);
  return all.length === 1 && all[0] === importer;
}

async function coverageOf(st: BooksReadStore, tenant: string): Promise<BooksCoverage> {
  const [c, w] = [await st.coverage(tenant), await st.watermark(tenant)];
  return { declarationsTo: c.declarationsTo, declarationsSeen: w.seen, declarationsExpected: w.expected };
}

export async function erpReceiptsOf(st: BooksReadStore, tenant: string, importer: string, opts: { after?: string; limit: number; state?: booksRepo.ReceiptFilter }) {
  const owns = await ownsUnmatched(st, tenant, importer);
  const rows = await st.receiptPage(tenant, importer, owns, { ...opts, limit: opts.limit + 1 });
  const cov = await coverageOf(st, tenant);
  const page = rows.slice(0, opts.limit);
  const decls = await st.declsMatching(tenant, { invoices: page.map((r) => r.receipt.invoiceKey), mrns: page.map((r) => r.receipt.mrn) });
  const items = page.map(({ receipt, findingId }) => ({ receipt, view: receiptView(receipt, decls, findingId, cov) }));
  return { items, more: rows.length > opts.limit, coverage: cov };
}

export async function defermentLinesOfImporter(st: BooksReadStore, tenant: string, importer: string, opts: { after?: [string, number]; limit: number; state?: booksRepo.StatementFilter }) {
  const owns = await ownsUnmatched(st, tenant, importer);
  const rows = await st.statementLinePage(tenant, importer, owns, { ...opts, limit: opts.limit + 1 });
  const cov = await coverageOf(st, tenant);
  const page = rows.slice(0, opts.limit);
  const all = await st.defermentLinesOf(
    tenant,
    page.map((r) => r.line.mrn),
  );
  const decls = new Map<string, ReconDecl>((await st.declsById(tenant, [...new Set(page.flatMap((r) => (r.declarationId ? [r.declarationId] : [])))])).map((d) => [d.d, d]));
  const items = page.map(({ line, declarationId, findingId }) => ({
    line,
    view: statementLineView(
      line,
      all.filter((x) => x.mrn === line.mrn),
      declarationId ? decls.get(declarationId) : undefined,
      findingId,
      cov,
    ),
  }));
  return { items, more: rows.length > opts.limit, coverage: cov };
}
