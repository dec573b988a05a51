import { type CsvColumn, decodeCursor, type FastifyInstance, HttpError, listQuery, nextLink, pageOf, principalOf, requireImporterVisible, sendCsv, wantsCsv, csvOr, encodeCursor } from '@customs/http';
import type { Kysely } from '@customs/db';
import { withTenant } from '@customs/db';
import { bindBooksReadStore, defermentLinesOfImporter, erpReceiptsOf, type BooksReadStore } from '../app/books-queries';
import type { ScoringDb } from '../db/migrations';

// REST adapter for the books side of reconciliation (C03, C42): the ERP receipt lines and the duty
// deferment statement lines scoring holds for an importer, each with its reconciliation state, in
// cursor pages (Accept: text/csv downloads the page), broker-scoped like the importer's readiness.

const ID = { type: 'string', minLength: 1, maxLength: 200 } as const;
const importerParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: ID } } as const;
const badCursor = () => new HttpError(400, 'invalid_cursor', 'query parameter "cursor" is not one this API returned (pass the `next` link back unchanged)', { in: 'query', parameter: 'cursor' });
const tags = { tags: ['reconciliation'] };

type ReceiptRow = Awaited<ReturnType<typeof erpReceiptsOf>>['items'][number];
type LineRow = Awaited<ReturnType<typeof defermentLinesOfImporter>>['items'][number];

const receiptJson = ({ receipt: r, view: v }: ReceiptRow) => ({
  receiptId: r.id,
  supplier: r.supplier,
  sku: r.sku,
  description: r.description,
  invoice: r.invoice,
  line: r.line,
  quantity: r.quantity,
  unit: r.unit,
  value: r.value,
  currency: r.currency,
  mrn: r.mrn,
  date: r.date,
  origin: r.origin,
  state: v.state,
  matchedDeclarations: v.matchedDeclarations,
  findingId: v.findingId,
  reason: v.reason,
});

const lineJson = ({ line: l, view: v }: LineRow) => ({
  statementId: l.statementId,
  lineIndex: l.index,
  sourceName: l.sourceName,
  row: l.row,
  dan: l.dan,
  mrn: l.mrn,
  taxType: l.taxType,
  amountPence: l.pence,
  date: l.date,
  periodTo: l.periodTo,
  state: v.state,
  declarationId: v.declarationId,
  ...v.mrnTotals,
  findingId: v.findingId,
  reason: v.reason,
});

const RECEIPT_CSV: CsvColumn<ReturnType<typeof receiptJson>>[] = [
  ...(['receiptId', 'supplier', 'sku', 'invoice', 'line', 'quantity', 'unit', 'value', 'currency', 'mrn', 'date', 'origin', 'state'] as const).map((k) => ({
    header: k,
    value: (r: ReturnType<typeof receiptJson>) => r[k],
  })),
  { header: 'matchedDeclarations', value: (r) => r.matchedDeclarations.map((d) => d.declarationId).join(' ') },
  { header: 'findingId', value: (r) => r.findingId },
  { header: 'reason', value: (r) => r.reason },
];
const LINE_CSV: CsvColumn<ReturnType<typeof lineJson>>[] = (
  [
    'statementId',
    'lineIndex',
    'sourceName',
    'row',
    'dan',
    'mrn',
    'taxType',
    'amountPence',
    'date',
    'state',
    'declarationId',
    'chargedDutyPence',
    'chargedVatPence',
    'declaredDutyPence',
    'declaredVatPence',
    'dutyDifferencePence',
    'vatDifferencePence',
    'findingId',
    'reason',
  ] as const
).map((k) => ({ header: k, value: (r: ReturnType<typeof lineJson>) => r[k] }));

const coverageSchema = {
  type: 'object',
  properties: { declarationsTo: { type: 'string' }, declarationsSeen: { type: 'integer' }, declarationsExpected: { type: 'integer' } },
};

export function registerBooksRoutes(http: FastifyInstance, db: Kysely<ScoringDb>): void {
  const read = <T>(tenant: string, fn: (s: BooksReadStore) => Promise<T>) => withTenant(db, tenant, (trx) => fn(bindBooksReadStore(trx)));

  http.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string; state?: 'matched' | 'unmatched' | 'not_judged' } }>(
    '/v1/importers/:id/erp-receipts',
    {
      schema: {
        summary: 'The importer’s ERP goods-receipt lines with their C03 state: matched to which declaration, unmatched (the finding), or not judged yet and why',
        ...tags,
        params: importerParams,
        querystring: listQuery(500, 100, { state: { type: 'string', enum: ['matched', 'unmatched', 'not_judged'] } }),
        response: { 200: csvOr({ ...pageOf('receipts'), properties: { ...pageOf('receipts').properties, coverage: coverageSchema } }) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireImporterVisible(p, req.params.id, `no books for importer ${req.params.id}`);
      const after = decodeCursor(req.query.cursor, 1);
      if (req.query.cursor !== undefined && !after) throw badCursor();
      const r = await read(p.tenantId, (st) => erpReceiptsOf(st, p.tenantId, req.params.id, { after: after && String(after[0]), limit: req.query.limit, state: req.query.state }));
      const receipts = r.items.map(receiptJson);
      const nextCursor = r.more && receipts.length ? encodeCursor([receipts.at(-1)!.receiptId]) : null;
      if (wantsCsv(req)) return sendCsv(reply, `erp-receipts-${req.params.id}.csv`, RECEIPT_CSV, receipts, nextCursor);
      return { importerId: req.params.id, coverage: r.coverage, receipts, next: nextLink(req, nextCursor), nextCursor };
    },
  );

  http.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string; state?: 'matched' | 'differs' | 'declaration_missing' } }>(
    '/v1/importers/:id/deferment-lines',
    {
      schema: {
        summary: 'The importer’s duty deferment statement lines with their C42 state: matched, differs by how much, or the declaration missing',
        ...tags,
        params: importerParams,
        querystring: listQuery(500, 100, { state: { type: 'string', enum: ['matched', 'differs', 'declaration_missing'] } }),
        response: { 200: csvOr({ ...pageOf('lines'), properties: { ...pageOf('lines').properties, coverage: coverageSchema } }) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireImporterVisible(p, req.params.id, `no books for importer ${req.params.id}`);
      const after = decodeCursor(req.query.cursor, 2);
      if (req.query.cursor !== undefined && (!after || typeof after[0] !== 'string' || typeof after[1] !== 'number')) throw badCursor();
      const r = await read(p.tenantId, (st) =>
        defermentLinesOfImporter(st, p.tenantId, req.params.id, { after: after && [String(after[0]), Number(after[1])], limit: req.query.limit, state: req.query.state }),
      );
      const lines = r.items.map(lineJson);
      const last = lines.at(-1);
      const nextCursor = r.more && last ? encodeCursor([last.statementId, last.lineIndex]) : null;
      if (wantsCsv(req)) return sendCsv(reply, `deferment-lines-${req.params.id}.csv`, LINE_CSV, lines, nextCursor);
      return { importerId: req.params.id, coverage: r.coverage, lines, next: nextLink(req, nextCursor), nextCursor };
    },
  );
}
