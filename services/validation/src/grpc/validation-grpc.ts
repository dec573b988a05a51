// gRPC adapter: a declaration's findings, and the check before lodging (same as POST /v1/checks).
import { ValidationServiceService, type CheckDeclarationRequest, type CheckDeclarationResponse, type ListFindingsRequest, type ListFindingsResponse } from '@customs/contracts';
import { appendAudit, type Kysely } from '@customs/db';
import { GrpcError, status, type CallContext, type GrpcServer } from '@customs/grpc';
import { randomUUID } from 'node:crypto';
import type { ReferencePort } from '../app/reference-port';
import { listFindings } from '../db/findings-repo';
import type { ValidationDb } from '../db/migrations';
import { draftProblem, runDraftCheck } from '../http/draft-check-routes';
import { RULES } from '../rules';

const CHECK_DECLARATION = '/customs.v1.ValidationService/CheckDeclaration';

/**
 * The audit entry of a state-changing RPC (issue 11, defect 13): the same who/where/when as the
 * REST twin's (packages/service audit.ts: subject, role, token id, source address, user agent),
 * the method as action, and the outcome as the HTTP status the REST twin would answer (200 done,
 * 400 refused for bad input, 500 failed).
 */
async function auditRpc(db: Kysely<ValidationDb>, call: CallContext, action: string, outcome: number, details: Record<string, unknown>): Promise<void> {
  const p = call.principal;
  await appendAudit(db as Kysely<unknown>, [
    {
      tenantId: p.tenantId,
      subject: p.subject,
      role: p.role,
      tokenId: p.tokenId,
      sourceIp: call.sourceIp,
      userAgent: call.userAgent,
      requestId: randomUUID(),
      action,
      target: action,
      outcome,
      details,
    },
  ]);
}

export function registerGrpc(grpc: GrpcServer, { db, reference }: { db: Kysely<ValidationDb>; reference: ReferencePort }): void {
  grpc.addService(ValidationServiceService as never, {
    listFindings: async (req: ListFindingsRequest, call: CallContext): Promise<ListFindingsResponse> => {
      if (!req.declarationId) throw new GrpcError(status.INVALID_ARGUMENT, 'declaration_id is required');
      return { findings: await listFindings(db, call.principal.tenantId, req.declarationId, req.includeSuperseded) };
    },
    // Check before lodging over gRPC: the same check and draft record as POST /v1/checks.
    // It stores a draft check, so it is audited like POST /v1/checks: done, refused or failed.
    checkDeclaration: async (req: CheckDeclarationRequest, call: CallContext): Promise<CheckDeclarationResponse> => {
      const p = call.principal;
      const checkId = randomUUID();
      const details = { checkId, lrn: req.declaration?.lrn ?? '', items: req.declaration?.items.length ?? 0 };
      let checked: Awaited<ReturnType<typeof runDraftCheck>>;
      try {
        if (!req.declaration) throw new GrpcError(status.INVALID_ARGUMENT, 'declaration is required');
        const problem = draftProblem(req.declaration);
        if (problem) throw new GrpcError(status.INVALID_ARGUMENT, `declaration.${problem.field}: ${problem.message}`);
        checked = await runDraftCheck(db, RULES, reference, p.tenantId, checkId, { ...req.declaration, tenantId: p.tenantId, declarationId: `draft-${checkId}`, version: 1 });
      } catch (e) {
        const refused = e instanceof GrpcError && e.code === status.INVALID_ARGUMENT;
        await auditRpc(db, call, CHECK_DECLARATION, refused ? 400 : 500, { ...details, error: String((e as Error).message).slice(0, 500) });
        throw e;
      }
      await auditRpc(db, call, CHECK_DECLARATION, 200, details);
      const { result, check } = checked;
      return {
        checkId,
        declaration: check.declaration,
        findings: check.findings,
        notChecked: result.notChecked,
        exposurePence: result.exposurePence,
        reclaimPence: result.reclaimPence,
        checkedAt: result.checkedAt,
        rulesEvaluated: result.rulesEvaluated,
      };
    },
  });
}
