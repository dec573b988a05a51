// REST adapter of board reports: generate on request, list versions, get the figures, download
// the stored HTML or PDF (byte for byte what was published).
import { HttpError, afterCursor, badCursor, downloadOf, listQuery, obj, openObject as open, pageOf, principalOf, sendPage, type FastifyInstance, type FastifyRequest } from '@customs/http';
import type { BoardReports } from '../app/board';
import { VersionTaken, type ReportStore } from '../app/ports';
import { UpstreamError } from '../clients/findings-feed';
import type { FindingsSource, PlatformReads } from '../app/ports';
import { alertsTable, findingsTable, tableCsv, tableXlsx, type Table } from '../render/exports';

const ID = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,120}$' } as const;
const EORI = { type: 'string', pattern: '^[A-Z]{2}[A-Z0-9]{1,15}$' } as const;
// Response bodies: open objects documented by their main keys (fastify's serialiser keeps every
// field of an open object); downloads by their media type.
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function bearerOf(req: FastifyRequest): string {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) throw new HttpError(401, 'unauthenticated', 'authentication required');
  return m[1];
}

export function registerReportRoutes(http: FastifyInstance, deps: { reports: ReportStore; board: BoardReports; findings: FindingsSource; platform: PlatformReads }): void {
  const { reports, board } = deps;

  // Exports auditors ask for: the tenant's current findings and an importer's open alerts.
  const send = async (reply: import('fastify').FastifyReply, t: Table, name: string, format: 'csv' | 'xlsx') => {
    if (format === 'xlsx') reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${name}.xlsx"`);
    else reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
    return format === 'xlsx' ? tableXlsx(t) : tableCsv(t);
  };
  const exportQuery = { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['csv', 'xlsx'] }, importer: EORI } } as const;
  http.get<{ Querystring: { format?: 'csv' | 'xlsx'; importer?: string } }>(
    '/v1/exports/findings',
    { schema: { summary: 'The tenant’s current findings as CSV or XLSX', querystring: exportQuery, response: { 200: downloadOf('the findings table', ['text/csv', XLSX]) } } },
    async (req, reply) => {
      principalOf(req);
      const { findings } = await deps.findings.currentFindings(bearerOf(req)).catch((e) => {
        if (e instanceof UpstreamError) throw new HttpError(502, 'upstream_failed', e.message);
        throw e;
      });
      const rows = findings
        .filter((f) => !req.query.importer || f.importerEori === req.query.importer)
        .sort((a, b) => a.acceptanceDate.localeCompare(b.acceptanceDate) || a.mrn.localeCompare(b.mrn) || a.itemNumber - b.itemNumber || a.findingId.localeCompare(b.findingId));
      return send(reply, findingsTable(rows), 'findings', req.query.format ?? 'csv');
    },
  );
  http.get<{ Querystring: { format?: 'csv' | 'xlsx'; importer?: string } }>(
    '/v1/exports/alerts',
    {
      schema: {
        summary: 'An importer’s open alerts as CSV or XLSX',
        querystring: { ...exportQuery, required: ['importer'] },
        response: { 200: downloadOf('the open alerts table', ['text/csv', XLSX]) },
      },
    },
    async (req, reply) => {
      principalOf(req);
      const a = await deps.platform.openAlerts(bearerOf(req), req.query.importer!);
      if (!a.available) throw new HttpError(502, 'upstream_failed', a.reason);
      return send(reply, alertsTable(a.open), `alerts-${req.query.importer}`, req.query.format ?? 'csv');
    },
  );

  http.post<{ Body: { importer: string } }>(
    '/v1/reports',
    {
      schema: {
        summary: 'Generate a board report for an importer',
        body: { type: 'object', additionalProperties: false, required: ['importer'], properties: { importer: EORI } },
        response: { 201: obj({ report: open, links: obj({ html: { type: 'string' }, pdf: { type: 'string' } }) }) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      try {
        const r = await board.generate(p.tenantId, p.subject, bearerOf(req), req.body.importer, 'api');
        reply.code(201);
        return { report: r, links: { html: `/v1/reports/${r.reportId}/document?format=html`, pdf: `/v1/reports/${r.reportId}/document?format=pdf` } };
      } catch (e) {
        if (e instanceof VersionTaken) throw new HttpError(409, 'conflict', e.message);
        if (e instanceof UpstreamError) throw new HttpError(502, 'upstream_failed', e.message);
        throw e;
      }
    },
  );

  http.get<{ Querystring: { importer?: string; limit: number; cursor?: string } }>(
    '/v1/reports',
    { schema: { summary: 'Board reports, newest first (cursor pages)', querystring: listQuery(500, 50, { importer: EORI }), response: { 200: pageOf('reports') } } },
    async (req, reply) => {
      const p = principalOf(req);
      const after = afterCursor(req, 3);
      if (after && (typeof after[0] !== 'string' || Number.isNaN(Date.parse(String(after[0]))) || typeof after[1] !== 'number' || typeof after[2] !== 'string')) throw badCursor();
      const rows = await reports.list(p.tenantId, {
        importer: req.query.importer,
        limit: req.query.limit + 1,
        after: after && { createdAt: String(after[0]), version: Number(after[1]), id: String(after[2]) },
      });
      return sendPage(req, reply, {
        key: 'reports',
        rows,
        limit: req.query.limit,
        keyOf: (r) => [r.createdAt, r.version, r.reportId],
        json: ({ content, ...r }) => ({ ...r, headline: content.headline }),
      });
    },
  );

  http.get<{ Params: { id: string } }>(
    '/v1/reports/:id',
    { schema: { summary: 'One board report with its figures', params: { type: 'object', required: ['id'], properties: { id: ID } }, response: { 200: obj({ report: open }) } } },
    async (req) => {
      const p = principalOf(req);
      const r = await reports.get(p.tenantId, req.params.id);
      if (!r) throw new HttpError(404, 'not_found', `no report ${req.params.id}`);
      return { report: r };
    },
  );

  http.get<{ Params: { id: string }; Querystring: { format?: 'html' | 'pdf' } }>(
    '/v1/reports/:id/document',
    {
      schema: {
        summary: 'A board report as stored HTML or PDF',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['html', 'pdf'] } } },
        response: { 200: downloadOf('the report as stored, byte for byte', ['text/html', 'application/pdf']) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const format = req.query.format ?? 'html';
      const doc = await reports.document(p.tenantId, req.params.id, format);
      if (doc === null) throw new HttpError(404, 'not_found', `no report ${req.params.id}`);
      if (format === 'pdf') reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${req.params.id}.pdf"`);
      else reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      return doc;
    },
  );
}
