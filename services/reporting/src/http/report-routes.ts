// REST adapter of board reports: generate on request, list versions, get the figures, download
// the stored HTML or PDF (byte for byte what was published).
import { HttpError, requireRole, type FastifyInstance, type FastifyRequest } from '@customs/http';
import type { BoardReports } from '../app/board';
import { VersionTaken, type ReportStore } from '../app/ports';
import { UpstreamError } from '../clients/findings-feed';

const ID = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,120}$' } as const;
const EORI = { type: 'string', pattern: '^[A-Z]{2}[A-Z0-9]{1,15}$' } as const;

function bearerOf(req: FastifyRequest): string {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) throw new HttpError(401, 'unauthenticated', 'authentication required');
  return m[1];
}

export function registerReportRoutes(http: FastifyInstance, deps: { reports: ReportStore; board: BoardReports }): void {
  const { reports, board } = deps;

  http.post<{ Body: { importer: string } }>(
    '/v1/reports',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['importer'], properties: { importer: EORI } } } },
    async (req, reply) => {
      const p = requireRole(req, 'analyst');
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

  http.get<{ Querystring: { importer?: string; limit?: number } }>(
    '/v1/reports',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { importer: EORI, limit: { type: 'integer', minimum: 1, maximum: 500 } } } } },
    async (req) => {
      const p = requireRole(req, 'analyst');
      const rows = await reports.list(p.tenantId, { importer: req.query.importer, limit: req.query.limit ?? 50 });
      return { reports: rows.map(({ content, ...r }) => ({ ...r, headline: content.headline })) };
    },
  );

  http.get<{ Params: { id: string } }>('/v1/reports/:id', { schema: { params: { type: 'object', required: ['id'], properties: { id: ID } } } }, async (req) => {
    const p = requireRole(req, 'analyst');
    const r = await reports.get(p.tenantId, req.params.id);
    if (!r) throw new HttpError(404, 'not_found', `no report ${req.params.id}`);
    return { report: r };
  });

  http.get<{ Params: { id: string }; Querystring: { format?: 'html' | 'pdf' } }>(
    '/v1/reports/:id/document',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['html', 'pdf'] } } },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'analyst');
      const format = req.query.format ?? 'html';
      const doc = await reports.document(p.tenantId, req.params.id, format);
      if (doc === null) throw new HttpError(404, 'not_found', `no report ${req.params.id}`);
      if (format === 'pdf') reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${req.params.id}.pdf"`);
      else reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      return doc;
    },
  );
}
