import {
  Server,
  ServerCredentials,
  Metadata,
  status,
  credentials,
  type Client,
  type ServiceDefinition,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
  type ServiceError,
  type CallOptions,
} from '@grpc/grpc-js';
import { SpanKind, context, type Context } from '@opentelemetry/api';
import { grpcRule, refusal, type Principal, type TokenAuthenticator } from '@customs/config';
import { describeControlCharacter, findControlCharacterIn } from '@customs/contracts';
import { addReflection, HEALTH_SERVICE, ServiceHealth } from './introspection';
import { extractTrace, injectTrace, inSpan, tracer, withTenant, type Logger, type ServiceMetrics } from '@customs/telemetry';

export { status, Metadata, credentials };
export { addReflection, HEALTH_SERVICE, platformDescriptorSource, REFLECTION_SERVICES, ServiceHealth } from './introspection';

/** What a handler knows about its caller. */
export interface CallContext {
  principal: Principal;
  /** Trace context of the server span (parent for anything the call causes). */
  trace: Context;
  /** Resolves/aborts when the client cancels or the deadline passes. */
  cancelled: () => boolean;
  /** Where the call came from, for the audit trail: the caller's IP address (from the peer). */
  sourceIp: string;
  /** The caller's user-agent metadata (grpc-js sends its own), for the audit trail. */
  userAgent: string;
}

/** "127.0.0.1:5555", "[::1]:5555" (grpc-js getPeer(); "ipv4:"/"ipv6:" prefixed in some versions) → the address alone. */
export function peerAddress(peer: string): string {
  const m = /^(?:ipv[46]:)?\[?([^[\]]*?)\]?:\d+$/.exec(peer);
  return m ? m[1]! : peer;
}

export type UnaryHandler<Req, Res> = (req: Req, call: CallContext) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (req: Req, call: CallContext, send: (msg: Res) => Promise<void>) => Promise<void>;

/** An error with a gRPC status code, surfaced to clients as is. */
export class GrpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

const grpcTracer = tracer('@customs/grpc');

function metadataToCarrier(md: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.getMap())) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return out;
}

function toServiceError(e: unknown): Partial<ServiceError> {
  if (e instanceof GrpcError) return { code: e.code, details: e.message, message: e.message };
  return { code: status.INTERNAL, details: 'internal error', message: 'internal error' };
}

/** ts-proto's camelCase property back to the proto field name clients know ("declaration_id"). */
const protoFieldName = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Why a request is refused for a control character (C0, DEL, unpaired surrogate; see
 * @customs/contracts text.ts) in any string field, or undefined. Every string of every request
 * here is an identifier, code or filter (ids, commodity codes, dates, currencies), so none may
 * hold one: refused as INVALID_ARGUMENT naming the field, rather than INTERNAL when Postgres meets
 * a NUL, or a lookup that silently matches nothing.
 */
export function controlCharacterProblem(request: unknown): string | undefined {
  const at = findControlCharacterIn(request, { fieldName: protoFieldName });
  return at ? `field "${at.path}" contains ${describeControlCharacter(at.found)}: control characters are not allowed in identifiers and filters` : undefined;
}

/** The longest string any request field may hold: ids, codes, dates and filters are far shorter; free text (a goods description, a reason) is bounded well below this by its element. */
export const MAX_REQUEST_STRING_CHARS = 16 * 1024;

/**
 * Why a request is refused for a string field longer than MAX_REQUEST_STRING_CHARS, or undefined
 * (issue 11: a 100,000-character declaration id gave INTERNAL). Names the proto field.
 */
export function oversizedStringProblem(request: unknown): string | undefined {
  const walk = (v: unknown, path: string): string | undefined => {
    if (typeof v === 'string') return v.length > MAX_REQUEST_STRING_CHARS ? path : undefined;
    if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return undefined;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const at = walk(v[i], `${path}[${i}]`);
        if (at) return at;
      }
      return undefined;
    }
    for (const [k, x] of Object.entries(v)) {
      const at = walk(x, path ? `${path}.${protoFieldName(k)}` : protoFieldName(k));
      if (at) return at;
    }
    return undefined;
  };
  const at = walk(request, '');
  return at ? `field "${at}" is longer than ${MAX_REQUEST_STRING_CHARS} characters` : undefined;
}

/**
 * A gRPC server that also serves the standard health service and server reflection (both
 * without a token: probes and integrators' tools call them), where every other method requires
 * "authorization: Bearer <token>" metadata, runs in a server span continuing the caller's
 * traceparent, refuses control characters in string fields (controlCharacterProblem), and maps thrown GrpcError to its status (anything else → INTERNAL, logged).
 */
export class GrpcServer {
  readonly server = new Server({ 'grpc.max_receive_message_length': 32 * 1024 * 1024 });
  /** Standard health service (grpc-health-check): per-service status, NOT_FOUND for unknown names. */
  readonly health = new ServiceHealth();
  /** Full names of the services added, which reflection lists. */
  private readonly serviceNames: string[] = [HEALTH_SERVICE];

  constructor(private readonly opts: { service: string; auth: TokenAuthenticator; logger: Logger; metrics?: ServiceMetrics }) {
    this.health.addToServer(this.server);
  }

  /** Flips the health status of the server and every service it serves (probes and watchers see it). */
  setServing(serving: boolean): void {
    this.health.setAll(serving);
  }

  private authenticate(md: Metadata): Principal | undefined {
    const v = md.get('authorization')[0];
    return this.opts.auth.authenticate(typeof v === 'string' ? v : v?.toString('utf8'));
  }

  /** Adds a service; `impl` maps each method name (camelCase) to an async handler. */
  addService(def: ServiceDefinition, impl: Record<string, UnaryHandler<any, any> | ServerStreamHandler<any, any>>): void {
    const wrapped: UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(def)) {
      const handler = impl[name];
      if (!handler) throw new Error(`gRPC service is missing handler ${name}`);
      const spanName = `${method.path}`;
      // The permission matrix (@customs/config permissions.ts) names every method: a method
      // without an entry stops the service at start-up, and a role it does not allow is refused
      // PERMISSION_DENIED before the handler runs.
      const access = grpcRule(method.path);
      if (!access) throw new Error(`gRPC method ${method.path} has no entry in the permission matrix (packages/config/src/permissions.ts)`);
      const denied = (p: Principal) => {
        const why = refusal(p.role, access);
        return why ? { code: status.PERMISSION_DENIED, details: why } : undefined;
      };
      if (!method.requestStream && !method.responseStream) {
        wrapped[name] = (call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => {
          const principal = this.authenticate(call.metadata);
          if (!principal) return cb({ code: status.UNAUTHENTICATED, details: 'a valid "authorization: Bearer <token>" metadata entry is required' });
          const forbidden = denied(principal);
          if (forbidden) return cb(forbidden);
          const refused = undecodableProblem(call.request) ?? controlCharacterProblem(call.request) ?? oversizedStringProblem(call.request);
          if (refused) return cb({ code: status.INVALID_ARGUMENT, details: refused });
          const parent = withTenant(extractTrace(metadataToCarrier(call.metadata)), principal.tenantId);
          const timer = this.opts.metrics?.grpcDuration.startTimer({ method: method.path });
          inSpan(grpcTracer, spanName, { kind: SpanKind.SERVER, parent, attributes: { 'rpc.system': 'grpc', 'rpc.method': name, tenant: principal.tenantId } }, async () => {
            const ctx: CallContext = {
              principal,
              trace: context.active(),
              cancelled: () => call.cancelled,
              sourceIp: peerAddress(call.getPeer()),
              userAgent: String(call.metadata.get('user-agent')[0] ?? '').slice(0, 500),
            };
            return (handler as UnaryHandler<unknown, unknown>)(call.request, ctx);
          })
            .then((res) => {
              timer?.({ code: status[status.OK] });
              cb(null, res);
            })
            .catch((e) => {
              if (!(e instanceof GrpcError)) this.opts.logger.error({ err: e, method: method.path, tenant: principal.tenantId }, 'gRPC handler failed');
              const err = toServiceError(e);
              timer?.({ code: status[err.code ?? status.INTERNAL] });
              cb(err);
            });
        };
      } else if (!method.requestStream && method.responseStream) {
        wrapped[name] = (call: ServerWritableStream<unknown, unknown>) => {
          const principal = this.authenticate(call.metadata);
          if (!principal) {
            call.emit('error', { code: status.UNAUTHENTICATED, details: 'a valid "authorization: Bearer <token>" metadata entry is required' });
            return;
          }
          const forbidden = denied(principal);
          if (forbidden) {
            call.emit('error', forbidden);
            return;
          }
          const refused = undecodableProblem(call.request) ?? controlCharacterProblem(call.request) ?? oversizedStringProblem(call.request);
          if (refused) {
            call.emit('error', { code: status.INVALID_ARGUMENT, details: refused });
            return;
          }
          const parent = withTenant(extractTrace(metadataToCarrier(call.metadata)), principal.tenantId);
          const timer = this.opts.metrics?.grpcDuration.startTimer({ method: method.path });
          const send = (msg: unknown) =>
            new Promise<void>((resolve) => {
              if (call.write(msg)) resolve();
              else call.once('drain', () => resolve());
            });
          inSpan(grpcTracer, spanName, { kind: SpanKind.SERVER, parent, attributes: { 'rpc.system': 'grpc', 'rpc.method': name, tenant: principal.tenantId } }, async () => {
            const ctx: CallContext = {
              principal,
              trace: context.active(),
              cancelled: () => call.cancelled,
              sourceIp: peerAddress(call.getPeer()),
              userAgent: String(call.metadata.get('user-agent')[0] ?? '').slice(0, 500),
            };
            await (handler as ServerStreamHandler<unknown, unknown>)(call.request, ctx, send);
          })
            .then(() => {
              timer?.({ code: status[status.OK] });
              call.end();
            })
            .catch((e) => {
              if (!(e instanceof GrpcError)) this.opts.logger.error({ err: e, method: method.path }, 'gRPC stream failed');
              const err = toServiceError(e);
              timer?.({ code: status[err.code ?? status.INTERNAL] });
              call.emit('error', err);
            });
        };
      } else {
        throw new Error(`gRPC method ${method.path}: client streaming is not supported by this server factory`);
      }
    }
    this.server.addService(decodingToInvalidArgument(def), wrapped);
    const serviceName = Object.values(def)[0]?.path.split('/')[1];
    if (serviceName) {
      this.serviceNames.push(serviceName);
      this.health.register(serviceName);
    }
  }

  /** Binds and starts; returns the bound port (useful with port 0 in tests). */
  async listen(host: string, port: number): Promise<number> {
    addReflection(this.server, this.serviceNames);
    const bound = await new Promise<number>((resolve, reject) => this.server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    this.setServing(true);
    return bound;
  }

  /** Reports NOT_SERVING, lets in-flight calls finish (up to timeoutMs), then stops. */
  async close(timeoutMs = 5000): Promise<void> {
    this.setServing(false);
    this.health.endWatchers();
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, timeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** Options of one client call. */
export interface ClientCallOptions {
  token: string;
  /** Deadline in ms from now (default 5000): every call has one. */
  deadlineMs?: number;
  parent?: Context;
}

/**
 * Calls a unary method of a ts-proto grpc-js client with auth metadata, a deadline and, in a
 * CLIENT span under `opts.parent` (default: the active context), that span's trace context;
 * rejects with the ServiceError (code + details) on failure.
 */
export function callUnary<Req, Res>(client: Client, method: string, req: Req, opts: ClientCallOptions): Promise<Res> {
  const fn = (client as unknown as Record<string, (r: Req, m: Metadata, o: Partial<CallOptions>, cb: (e: ServiceError | null, r: Res) => void) => void>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`gRPC client has no method ${method}`));
  // A CLIENT span per call, named like the server's span (the method path), so a trace shows
  // the call from the caller's side and the server's span is its child; its traceparent goes
  // in the metadata.
  const path = methodPath(client, method);
  const attributes = { 'rpc.system': 'grpc', 'rpc.method': method, 'rpc.service': path.split('/')[1] ?? '' };
  return inSpan(grpcTracer, path, { kind: SpanKind.CLIENT, attributes, parent: opts.parent }, async (span) => {
    const md = new Metadata();
    md.set('authorization', `Bearer ${opts.token}`);
    const carrier: Record<string, string> = {};
    injectTrace(carrier, context.active());
    for (const [k, v] of Object.entries(carrier)) md.set(k, v);
    const callOptions: Partial<CallOptions> = { deadline: Date.now() + (opts.deadlineMs ?? 5000) };
    try {
      return await new Promise<Res>((resolve, reject) => fn.call(client, req, md, callOptions, (e, r) => (e ? reject(e) : resolve(r))));
    } catch (e) {
      const code = (e as ServiceError).code;
      if (typeof code === 'number') span.setAttribute('rpc.grpc.status_code', code);
      throw e;
    }
  });
}

/**
 * "/package.Service/Method" of a client method: grpc-js generated client classes carry their
 * service definition (ClientClass.service), keyed by the camelCase method name.
 */
function methodPath(client: Client, method: string): string {
  const def = (client.constructor as unknown as { service?: Record<string, { path?: string }> }).service;
  return def?.[method]?.path ?? method;
}

/** Metadata for a streaming call (auth + trace). */
export function callMetadata(token: string, parent?: Context): Metadata {
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  const carrier: Record<string, string> = {};
  injectTrace(carrier, parent ?? context.active());
  for (const [k, v] of Object.entries(carrier)) md.set(k, v);
  return md;
}

/** Waits until a client's channel is ready (or the deadline passes). */
export function waitForReady(client: Client, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => client.waitForReady(Date.now() + timeoutMs, (e) => (e ? reject(e) : resolve())));
}

/**
 * A request that does not decode (an int64 above 2^53, which the generated code refuses to turn
 * into a number, or bytes that are no such message) is the caller's error: grpc-js would answer
 * INTERNAL for a deserializer that throws, so the deserializer hands the handler this instead,
 * answered INVALID_ARGUMENT with the decoder's reason.
 */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

function undecodableProblem(request: unknown): string | undefined {
  return request instanceof UndecodableRequest ? `the request does not decode: ${request.reason}` : undefined;
}

function decodingToInvalidArgument(def: ServiceDefinition): ServiceDefinition {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(def)) {
    const decode = method.requestDeserialize;
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (e) {
          return new UndecodableRequest((e as Error).message);
        }
      },
    };
  }
  return out as ServiceDefinition;
}
