import type { Server, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { FILE_DESCRIPTOR_PROTOS_BASE64 } from '@customs/contracts';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** The standard health service's full name (never behind a token: probes call it). */
export const HEALTH_SERVICE = 'grpc.health.v1.Health';
/** The reflection services' full names (v1 and the v1alpha that grpcurl still asks first). */
export const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'] as const;

type ReflectionSource = ConstructorParameters<typeof ReflectionService>[0];
let platformDescriptors: ReflectionSource | undefined;

/**
 * Every proto file of the platform (proto/, comments included) in the shape ReflectionService
 * reads: it only takes `fileDescriptorProtos` from each entry. Built from the per-file descriptors
 * scripts/gen-proto-artifacts.js generates into contracts, not through proto-loader, which would
 * merge the files of a package into one and keep their original imports, so reflection clients
 * (buf curl, grpcurl) fail to resolve the services.
 */
export function platformDescriptorSource(): ReflectionSource {
  platformDescriptors ??= { 'customs-platform': { fileDescriptorProtos: FILE_DESCRIPTOR_PROTOS_BASE64.map((b) => Buffer.from(b, 'base64')) } } as unknown as ReflectionSource;
  return platformDescriptors;
}

/**
 * Adds gRPC server reflection (v1 and v1alpha, @grpc/reflection) listing exactly `services` (the
 * full names the server serves), so grpcurl, Postman and `buf curl --reflect` list and describe
 * them without a copy of the protos.
 */
export function addReflection(server: Pick<Server, 'addService'>, services: string[]): void {
  new ReflectionService(platformDescriptorSource(), { services }).addToServer(server);
}

/**
 * The standard health service (grpc-health-check): "" is the server as a whole and every
 * registered service has its own status; Check answers NOT_FOUND for a name the server does not
 * serve. Watch streams are tracked so shutdown can end them: the library leaves them open
 * forever, which would hold Server.tryShutdown until its timeout.
 */
export class ServiceHealth {
  private readonly impl = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services = new Set<string>(['']);
  private readonly watchers = new Set<ServerWritableStream<unknown, unknown>>();
  private readonly current = new Map<string, ServingStatus>([['', 'NOT_SERVING']]);

  addToServer(server: Pick<Server, 'addService'>): void {
    this.impl.addToServer({
      addService: (def, implementation) => {
        const watch = implementation.watch as (call: ServerWritableStream<unknown, unknown>) => void;
        const tracked: UntypedServiceImplementation = {
          ...implementation,
          watch: (call: ServerWritableStream<unknown, unknown>) => {
            this.watchers.add(call);
            call.on('cancelled', () => this.watchers.delete(call));
            call.on('finish', () => this.watchers.delete(call));
            watch(call);
          },
        } as UntypedServiceImplementation;
        server.addService(def as never, tracked);
      },
    });
  }

  /** Registers a service (full name, e.g. "customs.v1.ReferenceService") with the server's status. */
  register(service: string): void {
    this.services.add(service);
    this.impl.setStatus(service, this.status(''));
  }

  private status(service: string): ServingStatus {
    return this.current.get(service) ?? 'NOT_SERVING';
  }

  /** Sets one service's status (the server's own with ""); watchers of it are told. */
  set(service: string, status: ServingStatus): void {
    if (!this.services.has(service)) throw new Error(`health: ${service} is not a service of this server`);
    this.current.set(service, status);
    this.impl.setStatus(service, status);
  }

  /** Sets the server and every service it serves to SERVING or NOT_SERVING. */
  setAll(serving: boolean): void {
    for (const s of this.services) this.set(s, serving ? 'SERVING' : 'NOT_SERVING');
  }

  /** Ends every open Watch stream (after the NOT_SERVING they were just sent). */
  endWatchers(): void {
    for (const w of this.watchers) w.end();
    this.watchers.clear();
  }
}
