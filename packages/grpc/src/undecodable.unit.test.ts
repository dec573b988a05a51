import { Client, Metadata, credentials, type ServiceError } from '@grpc/grpc-js';
import { ReferenceServiceService } from '@customs/contracts';
import { TokenAuthenticator } from '@customs/config';
import { createLogger } from '@customs/telemetry';
import { GrpcServer, status } from './index';

/** Protobuf varint of a non-negative bigint. */
function varint(n: bigint): number[] {
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

// Issue 11 defect 8: an int64 above 2^53 in a request gave INTERNAL (the generated decoder refuses
// to make it a number, and grpc-js answers a throwing deserializer with INTERNAL). Over a real
// gRPC server on loopback: INVALID_ARGUMENT with the decoder's reason, and the handler never runs.
describe('GrpcServer: a request that does not decode is INVALID_ARGUMENT', () => {
  const token = 'analyst-token-0123456789';
  let server: GrpcServer;
  let client: Client;
  let reached = 0;
  beforeAll(async () => {
    server = new GrpcServer({ service: 'test', auth: new TokenAuthenticator([{ token, tenantId: 't1', role: 'analyst' }]), logger: createLogger('test', 'silent') });
    const unused = async () => ({ results: [] });
    server.addService(ReferenceServiceService as never, {
      lookupCommodities: unused,
      lookupFx: unused,
      lookupRates: unused,
      lookupCodeLists: unused,
      lookupSchemes: unused,
      computeDuties: async () => {
        reached++;
        return { results: [] };
      },
    });
    client = new Client(`127.0.0.1:${await server.listen('127.0.0.1', 0)}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.close(1000);
  });

  // ComputeDutiesRequest { lines: [DutyLineInput { excise_and_other_pence (field 8, int64): n }] }
  const request = (n: bigint) => {
    const line = Buffer.from([(8 << 3) | 0, ...varint(n)]);
    return Buffer.concat([Buffer.from([(1 << 3) | 2, line.length]), line]);
  };
  const call = (bytes: Buffer) =>
    new Promise<{ code: number; details: string }>((resolve) => {
      const md = new Metadata();
      md.set('authorization', `Bearer ${token}`);
      client.makeUnaryRequest(
        '/customs.v1.ReferenceService/ComputeDuties',
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        md,
        (err: ServiceError | null) => resolve(err ? { code: err.code, details: err.details } : { code: status.OK, details: '' }),
      );
    });

  it('2^60 pence → INVALID_ARGUMENT naming the limit; 2^53 - 1 is served', async () => {
    expect(await call(request(2n ** 60n))).toEqual({ code: status.INVALID_ARGUMENT, details: 'the request does not decode: Value is larger than Number.MAX_SAFE_INTEGER' });
    expect(reached).toBe(0);
    expect(await call(request(2n ** 53n - 1n))).toEqual({ code: status.OK, details: '' });
    expect(reached).toBe(1);
  });
});
