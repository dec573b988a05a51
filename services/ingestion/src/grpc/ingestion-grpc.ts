// gRPC adapter: one declaration (a version, or the latest) for the tenant of the caller.
import { IngestionServiceService, type GetDeclarationRequest, type GetDeclarationResponse } from '@customs/contracts';
import { GrpcError, status, type CallContext, type GrpcServer } from '@customs/grpc';
import type { DeclarationRepo } from '../db/declaration-repo';

export function registerGrpc(grpc: GrpcServer, declarations: DeclarationRepo): void {
  grpc.addService(IngestionServiceService as never, {
    getDeclaration: async (req: GetDeclarationRequest, call: CallContext): Promise<GetDeclarationResponse> => {
      const d = await declarations.get(call.principal.tenantId, req.declarationId, req.version);
      if (!d) throw new GrpcError(status.NOT_FOUND, `no declaration ${req.declarationId}`);
      return { declaration: d };
    },
  });
}
