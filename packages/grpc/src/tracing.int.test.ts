// Must run before the server and client exist: every span of this file goes to memory.
import { startInMemoryTracing, createLogger, inSpan, tracer, SpanKind, SpanStatusCode } from '@customs/telemetry';
const spans = startInMemoryTracing();

import { credentials } from '@grpc/grpc-js';
import { ReferenceServiceClient, ReferenceServiceService, type LookupCommoditiesResponse } from '@customs/contracts';
import { TokenAuthenticator } from '@customs/config';
import { GrpcError, GrpcServer, callUnary, status } from './index';

// A real GrpcServer on a real port and a generated grpc-js client: callUnary makes one CLIENT
// span per call (named by the method path, a child of the caller's span), the server's one
// SERVER span is its child, so a trace shows the call from both sides and counts it once.
describe('gRPC call tracing (real server and client)', () => {
  const token = 'service-token-0123456789';
  let server: GrpcServer;
  let client: ReferenceServiceClient;
  beforeAll(async () => {
    server = new GrpcServer({ service: 'test', auth: new TokenAuthenticator([{ token, tenantId: 'platform', role: 'admin' }]), logger: createLogger('test', 'silent') });
    const notHere = async () => {
      throw new GrpcError(status.UNIMPLEMENTED, 'not part of this test');
    };
    server.addService(ReferenceServiceService as never, {
      lookupCommodities: async () => ({ results: [] }),
      lookupFx: notHere,
      lookupRates: notHere,
      lookupCodeLists: notHere,
      lookupSchemes: notHere,
      computeDuties: notHere,
    });
    const address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
    client = new ReferenceServiceClient(address, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await server?.close(1000);
  });

  it('a call is a CLIENT span under the caller and one SERVER span under it; a failed call is an ERROR client span with the status code', async () => {
    const t = tracer('test');
    const caller = await inSpan(t, 'caller', {}, async (span) => {
      await callUnary<unknown, LookupCommoditiesResponse>(client, 'lookupCommodities', { queries: [] }, { token });
      await expect(callUnary(client, 'lookupFx', { queries: [] }, { token })).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
      return span.spanContext();
    });
    const finished = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === caller.traceId);
    const parentOf = (s: (typeof finished)[number]) => s.parentSpanContext?.spanId;
    const clients = finished.filter((s) => s.kind === SpanKind.CLIENT);
    expect(clients.map((s) => s.name).sort()).toEqual(['/customs.v1.ReferenceService/LookupCommodities', '/customs.v1.ReferenceService/LookupFx']);
    for (const c of clients) {
      expect(parentOf(c)).toBe(caller.spanId);
      expect(c.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'customs.v1.ReferenceService' });
      // Exactly one server span per call, the client span's child.
      expect(finished.filter((s) => s.kind === SpanKind.SERVER && parentOf(s) === c.spanContext().spanId).map((s) => s.name)).toEqual([c.name]);
    }
    const failed = clients.find((s) => s.name.endsWith('/LookupFx'))!;
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes['rpc.grpc.status_code']).toBe(status.UNIMPLEMENTED);
    expect(clients.find((s) => s.name.endsWith('/LookupCommodities'))!.status.code).toBe(SpanStatusCode.OK);
  });
});
