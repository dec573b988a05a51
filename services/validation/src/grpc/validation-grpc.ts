// gRPC adapter: a declaration's findings, and the check before lodging (same as POST /v1/checks).
import { ValidationServiceService, type CheckDeclarationRequest, type CheckDeclarationResponse, type ListFindingsRequest, type ListFindingsResponse } from '@customs/contracts';
import type { Kysely } from '@customs/db';
import { GrpcError, status, type CallContext, type GrpcServer } from '@customs/grpc';
import { randomUUID } from 'node:crypto';
import type { ReferencePort } from '../app/reference-port';
import { listFindings } from '../db/findings-repo';
import type { ValidationDb } from '../db/migrations';
import { draftProblem, runDraftCheck } from '../http/draft-check-routes';
import { RULES } from '../rules';

export function registerGrpc(grpc: GrpcServer, { db, reference }: { db: Kysely<ValidationDb>; reference: ReferencePort }): void {
  grpc.addService(ValidationServiceService as never, {
    listFindings: async (req: ListFindingsRequest, call: CallContext): Promise<ListFindingsResponse> => {
      if (!req.declarationId) throw new GrpcError(status.INVALID_ARGUMENT, 'declaration_id is required');
      return { findings: await listFindings(db, call.principal.tenantId, req.declarationId, req.includeSuperseded) };
    },
    // Check before lodging over gRPC: the same check and draft record as POST /v1/checks.
    checkDeclaration: async (req: CheckDeclarationRequest, call: CallContext): Promise<CheckDeclarationResponse> => {
      const p = call.principal;
      if (!req.declaration) throw new GrpcError(status.INVALID_ARGUMENT, 'declaration is required');
      const problem = draftProblem(req.declaration);
      if (problem) throw new GrpcError(status.INVALID_ARGUMENT, `declaration.${problem.field}: ${problem.message}`);
      const checkId = randomUUID();
      const { result, check } = await runDraftCheck(db, RULES, reference, p.tenantId, checkId, { ...req.declaration, tenantId: p.tenantId, declarationId: `draft-${checkId}`, version: 1 });
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
