import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { IngestionServiceService, ReferenceServiceService, health } from '@customs/contracts';
import { TokenAuthenticator } from '@customs/config';
import { createLogger } from '@customs/telemetry';
import { GrpcError, GrpcServer, status } from './index';

const run = promisify(execFile);

// A real GrpcServer on a real port, asked by the tools integrators use: `buf curl --reflect`
// (the same server reflection grpcurl and Postman use) and the standard health client that
// grpc-health-probe and Kubernetes gRPC probes speak.
describe('GrpcServer reflection and health (real server, buf curl, grpc-js health client)', () => {
  const token = 'analyst-token-0123456789';
  let server: GrpcServer;
  let address = '';
  let healthClient: health.HealthClient;
  beforeAll(async () => {
    server = new GrpcServer({ service: 'test', auth: new TokenAuthenticator([{ token, tenantId: 't1', role: 'analyst' }]), logger: createLogger('test', 'silent') });
    server.addService(IngestionServiceService as never, {
      getDeclaration: async (req: { declarationId: string }) => {
        throw new GrpcError(status.NOT_FOUND, `no declaration ${req.declarationId}`);
      },
    });
    const notHere = async () => {
      throw new GrpcError(status.UNIMPLEMENTED, 'not part of this test');
    };
    server.addService(ReferenceServiceService as never, {
      lookupCommodities: notHere,
      lookupFx: notHere,
      lookupRates: notHere,
      lookupCodeLists: notHere,
      lookupSchemes: notHere,
      computeDuties: notHere,
    });
    address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
    healthClient = new health.HealthClient(address, credentials.createInsecure());
  });
  afterAll(async () => {
    healthClient?.close();
    await server?.close(1000);
  });

  const check = (service: string) =>
    new Promise<{ status?: string; code?: number; details?: string }>((resolve) =>
      healthClient.check({ service }, (e, r) => (e ? resolve({ code: e.code, details: e.details }) : resolve({ status: health.healthCheckResponse_ServingStatusToJSON(r.status) }))),
    );

  it('reflection lists exactly the services the server serves, and their methods', async () => {
    const { stdout } = await run('buf', ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--reflect', '--list-services', `http://${address}`]);
    expect(stdout.trim().split('\n').sort()).toEqual(['customs.v1.IngestionService', 'customs.v1.ReferenceService', 'grpc.health.v1.Health']);
    const methods = await run('buf', ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--reflect', '--list-methods', `http://${address}`]);
    expect(methods.stdout).toContain('customs.v1.ReferenceService/ComputeDuties');
    expect(methods.stdout).toContain('grpc.health.v1.Health/Check');
  });

  it('buf curl calls a method through reflection alone (no protos on the client) and gets the handler status', async () => {
    const call = run('buf', [
      'curl',
      '--protocol',
      'grpc',
      '--http2-prior-knowledge',
      '--reflect',
      '-H',
      `authorization: Bearer ${token}`,
      '-d',
      '{"declaration_id":"D-1"}',
      `http://${address}/customs.v1.IngestionService/GetDeclaration`,
    ]);
    // buf curl exits non-zero on an error status and prints it as JSON on stderr.
    const err = (await call.then(
      () => undefined,
      (e: { stderr: string }) => e,
    )) as { stderr: string } | undefined;
    expect(err).toBeDefined();
    expect(JSON.parse(err!.stderr)).toEqual({ code: 'not_found', message: 'no declaration D-1' });
  });

  it('health: SERVING for the server ("") and each service it serves, NOT_FOUND naming an unknown service', async () => {
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check('customs.v1.IngestionService')).toEqual({ status: 'SERVING' });
    expect(await check('customs.v1.ReferenceService')).toEqual({ status: 'SERVING' });
    expect(await check('customs.v1.NoSuchService')).toEqual({ code: status.NOT_FOUND, details: 'Health status unknown for service customs.v1.NoSuchService' });
  });

  it('health: one service can be NOT_SERVING while the others serve; a Watch sees the change', async () => {
    const watch: ClientReadableStream<health.HealthCheckResponse> = healthClient.watch({ service: 'customs.v1.ReferenceService' });
    const seen: string[] = [];
    const twoUpdates = new Promise<void>((resolve) =>
      watch.on('data', (r: health.HealthCheckResponse) => {
        seen.push(health.healthCheckResponse_ServingStatusToJSON(r.status));
        if (seen.length === 2) resolve();
      }),
    );
    watch.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    server.health.set('customs.v1.ReferenceService', 'NOT_SERVING');
    await twoUpdates;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    expect(await check('customs.v1.ReferenceService')).toEqual({ status: 'NOT_SERVING' });
    expect(await check('customs.v1.IngestionService')).toEqual({ status: 'SERVING' });
    expect(() => server.health.set('customs.v1.NoSuchService', 'SERVING')).toThrow('health: customs.v1.NoSuchService is not a service of this server');
    server.health.set('customs.v1.ReferenceService', 'SERVING');
    watch.cancel();
  });

  it('shutdown: every status turns NOT_SERVING before the server stops, and open Watch streams are ended', async () => {
    const watch = healthClient.watch({ service: '' });
    const seen: string[] = [];
    // Ended with OK by the server ('end'), not cut by forceShutdown after the timeout ('error').
    const ended = new Promise<string>((resolve) => {
      watch.on('data', (r: health.HealthCheckResponse) => seen.push(health.healthCheckResponse_ServingStatusToJSON(r.status)));
      watch.on('end', () => resolve('ended'));
      watch.on('error', (e: { code: number }) => resolve(`error ${e.code}`));
    });
    await new Promise((r) => setTimeout(r, 100));
    await server.close(5000);
    expect(await ended).toBe('ended');
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });
});
