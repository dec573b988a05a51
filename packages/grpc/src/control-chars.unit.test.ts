import { credentials } from '@grpc/grpc-js';
import { IngestionServiceClient, IngestionServiceService, ReferenceServiceClient, ReferenceServiceService } from '@customs/contracts';
import { TokenAuthenticator } from '@customs/config';
import { createLogger } from '@customs/telemetry';
import { GrpcError, GrpcServer, callUnary, controlCharacterProblem, status } from './index';

describe('controlCharacterProblem', () => {
  it('names the proto field (snake_case, with its index in a repeated field)', () => {
    expect(controlCharacterProblem({ declarationId: 'a\u0000b', version: 0 })).toBe(
      'field "declaration_id" contains U+0000 (NUL) at character 2: control characters are not allowed in identifiers and filters',
    );
    expect(
      controlCharacterProblem({
        queries: [
          { commodityCode: '0702000007', date: '2024-01-01' },
          { commodityCode: '0702000007', date: '2024\u007f' },
        ],
      }),
    ).toMatch(/^field "queries\[1\]\.date" contains U\+007F \(DEL\) at character 5/);
    expect(controlCharacterProblem({ entityType: 'declaration', entityId: 'ok', content: new Uint8Array([0]) })).toBeUndefined();
  });
});

describe('GrpcServer refuses control characters in every RPC before its handler runs', () => {
  const token = 'analyst-token-0123456789';
  let server: GrpcServer;
  let address = '';
  const reached: string[] = [];
  beforeAll(async () => {
    server = new GrpcServer({ service: 'test', auth: new TokenAuthenticator([{ token, tenantId: 't1', role: 'analyst' }]), logger: createLogger('test', 'silent') });
    server.addService(IngestionServiceService as never, {
      getDeclaration: async (req: { declarationId: string }) => {
        reached.push(req.declarationId);
        throw new GrpcError(status.NOT_FOUND, `no declaration ${req.declarationId}`);
      },
    });
    const unused = async () => ({});
    server.addService(ReferenceServiceService as never, {
      lookupCommodities: async () => ({ results: [] }),
      lookupFx: unused,
      lookupRates: unused,
      lookupCodeLists: unused,
      lookupSchemes: unused,
      computeDuties: unused,
    });
    address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  });
  afterAll(() => server.close(1000));

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => ({ code: -1, details: 'succeeded' }),
      (e: { code: number; details: string }) => ({ code: e.code, details: e.details }),
    );

  it('INVALID_ARGUMENT naming the field, for a top-level and a nested field; the next call is served', async () => {
    const ingestion = new IngestionServiceClient(address, credentials.createInsecure());
    const reference = new ReferenceServiceClient(address, credentials.createInsecure());
    try {
      expect(await failure(callUnary(ingestion, 'getDeclaration', { declarationId: 'a\u0000b', version: 0 }, { token }))).toEqual({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^field "declaration_id" contains U\+0000 \(NUL\) at character 2/),
      });
      expect(await failure(callUnary(reference, 'lookupCommodities', { queries: [{ commodityCode: '07\u000102000007', date: '2024-01-01' }] }, { token }))).toEqual({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^field "queries\[0\]\.commodity_code" contains U\+0001 \(SOH\)/),
      });
      expect(reached).toEqual([]);
      expect(await failure(callUnary(ingestion, 'getDeclaration', { declarationId: 'plain', version: 0 }, { token }))).toEqual({ code: status.NOT_FOUND, details: 'no declaration plain' });
      expect(reached).toEqual(['plain']);
    } finally {
      ingestion.close();
      reference.close();
    }
  });
});
