/**
 * Environment parsing that fails fast: every problem names the variable and what was expected,
 * all problems are reported at once, and the result is frozen so nothing mutates it later.
 */

import { kafkaConnectionSpecs } from './kafka';

/**
 * The exit code of a process refused for its configuration: sysexits' EX_CONFIG, so a supervisor
 * (Kubernetes, systemd, make up) can tell "fix the settings" from a crash (1).
 */
export const EXIT_CONFIG = 78;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** A reader of one variable: returns the parsed value or pushes a problem naming the variable. */
export interface VarSpec<T> {
  read(env: Env, name: string, problems: string[]): T;
}

function raw(env: Env, name: string): string | undefined {
  // An explicitly empty value counts as unset, so defaults apply.
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** A string; required unless a default is given. */
export function str(opts: { default?: string } = {}): VarSpec<string> {
  return {
    read(env, name, problems) {
      const v = raw(env, name) ?? opts.default;
      if (v === undefined) problems.push(`${name} is required (a non-empty string)`);
      return v ?? '';
    },
  };
}

/** An integer within bounds. */
export function int(opts: { default?: number; min?: number; max?: number } = {}): VarSpec<number> {
  return {
    read(env, name, problems) {
      const v = raw(env, name);
      if (v === undefined) {
        if (opts.default === undefined) problems.push(`${name} is required (an integer)`);
        return opts.default ?? 0;
      }
      if (!/^-?\d+$/.test(v)) {
        problems.push(`${name} must be an integer, got "${v}"`);
        return opts.default ?? 0;
      }
      const n = Number(v);
      if (opts.min !== undefined && n < opts.min) problems.push(`${name} must be >= ${opts.min}, got ${n}`);
      if (opts.max !== undefined && n > opts.max) problems.push(`${name} must be <= ${opts.max}, got ${n}`);
      return n;
    },
  };
}

/** A TCP port number. */
export function port(opts: { default?: number } = {}): VarSpec<number> {
  return int({ ...opts, min: 0, max: 65535 });
}

/** A boolean: true/false/1/0/yes/no. */
export function bool(opts: { default?: boolean } = {}): VarSpec<boolean> {
  return {
    read(env, name, problems) {
      const v = raw(env, name)?.toLowerCase();
      if (v === undefined) {
        if (opts.default === undefined) problems.push(`${name} is required (true or false)`);
        return opts.default ?? false;
      }
      if (['true', '1', 'yes'].includes(v)) return true;
      if (['false', '0', 'no'].includes(v)) return false;
      problems.push(`${name} must be true or false, got "${v}"`);
      return opts.default ?? false;
    },
  };
}

/** A comma-separated list of non-empty strings. */
export function list(opts: { default?: string[] } = {}): VarSpec<string[]> {
  return {
    read(env, name, problems) {
      const v = raw(env, name);
      if (v === undefined) {
        if (opts.default === undefined) problems.push(`${name} is required (comma-separated list)`);
        return opts.default ?? [];
      }
      return v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    },
  };
}

/** One of a fixed set of values. */
export function oneOf<T extends string>(values: readonly T[], opts: { default?: T } = {}): VarSpec<T> {
  return {
    read(env, name, problems) {
      const v = raw(env, name) ?? opts.default;
      if (v === undefined || !values.includes(v as T)) {
        problems.push(`${name} must be one of ${values.join(', ')}, got ${v === undefined ? 'nothing' : `"${v}"`}`);
        return (opts.default ?? values[0]) as T;
      }
      return v as T;
    },
  };
}

/** A URL with one of the given protocols. */
export function url(opts: { default?: string; protocols?: string[] } = {}): VarSpec<string> {
  return {
    read(env, name, problems) {
      const v = raw(env, name) ?? opts.default;
      if (v === undefined) {
        problems.push(`${name} is required (a URL)`);
        return '';
      }
      try {
        const u = new URL(v);
        if (opts.protocols && !opts.protocols.includes(u.protocol)) {
          problems.push(`${name} must use ${opts.protocols.join(' or ')}, got ${u.protocol}`);
        }
      } catch {
        problems.push(`${name} must be a URL, got a value that does not parse`);
      }
      return v;
    },
  };
}

/** An optional http(s) URL: empty means "not set" (''), anything else must parse as a URL. */
export function optionalUrl(opts: { protocols?: string[] } = {}): VarSpec<string> {
  const inner = url(opts);
  return {
    read(env, name, problems) {
      return raw(env, name) === undefined ? '' : inner.read(env, name, problems);
    },
  };
}

/** Comma-separated key=value pairs (OTLP headers: "api-key=abc,x-team=customs"). */
export function keyValues(): VarSpec<Readonly<Record<string, string>>> {
  return {
    read(env, name, problems) {
      const out: Record<string, string> = {};
      const v = raw(env, name);
      if (v === undefined) return out;
      for (const [i, pair] of v.split(',').entries()) {
        const at = pair.indexOf('=');
        const key = at > 0 ? pair.slice(0, at).trim() : '';
        if (!key) {
          problems.push(`${name} must be comma-separated key=value pairs; pair ${i + 1} ("${pair.trim().slice(0, 40)}") has no key`);
          continue;
        }
        out[key] = decodeURIComponent(pair.slice(at + 1).trim());
      }
      return out;
    },
  };
}

/** The OpenTelemetry variables the platform reads; any other OTEL_* set is refused by name. */
export const SUPPORTED_OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS'] as const;

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT, which also owns the OTEL_ namespace: the OpenTelemetry libraries
 * would read other OTEL_* variables on their own, unchecked, so one that is set and not supported
 * here is a named configuration error rather than a setting silently half-applied.
 */
function otlpEndpoint(): VarSpec<string> {
  const endpoint = optionalUrl({ protocols: ['http:', 'https:'] });
  return {
    read(env, name, problems) {
      for (const k of Object.keys(env).sort()) {
        if (k.startsWith('OTEL_') && !(SUPPORTED_OTEL_VARIABLES as readonly string[]).includes(k) && raw(env, k) !== undefined) {
          problems.push(`${k} is not read by this platform (supported: ${SUPPORTED_OTEL_VARIABLES.join(', ')}); unset it`);
        }
      }
      return endpoint.read(env, name, problems);
    },
  };
}

/** pino's levels: what LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Logging and tracing settings, read before anything else starts (services' main.ts). */
export function telemetrySpecs() {
  return {
    LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info' }),
    // OTLP/HTTP base URL of a collector (http://otel-collector:4318); empty: spans are made
    // (trace ids in logs and Kafka headers) but not exported.
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(),
    // Headers for the OTLP exporter (a hosted backend's API key), key=value pairs.
    OTEL_EXPORTER_OTLP_HEADERS: keyValues(),
  };
}

/**
 * Runs a configuration read; a ConfigError is printed (every problem, by variable) and the
 * process exits with EXIT_CONFIG instead of crashing with a stack trace.
 */
export function exitOnConfigError<T>(service: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${service}: ${e.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

type Specs = Record<string, VarSpec<unknown>>;
type Parsed<S extends Specs> = { readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

/**
 * Reads every spec from env; throws one ConfigError listing all problems.
 * The result is deeply frozen.
 */
export function parseEnv<S extends Specs>(specs: S, env: Env = process.env): Parsed<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.read(env, name, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  for (const v of Object.values(out)) if (v && typeof v === 'object') Object.freeze(v);
  return Object.freeze(out) as Parsed<S>;
}

/** The variables every service reads, with local-development defaults. */
export function commonServiceSpecs(service: string, defaults: { httpPort: number; grpcPort: number }) {
  return {
    SERVICE_NAME: str({ default: service }),
    HTTP_HOST: str({ default: '127.0.0.1' }),
    HTTP_PORT: port({ default: defaults.httpPort }),
    GRPC_HOST: str({ default: '127.0.0.1' }),
    GRPC_PORT: port({ default: defaults.grpcPort }),
    DATABASE_URL: url({ default: `postgres://${service}:${service}@127.0.0.1:5432/customs`, protocols: ['postgres:', 'postgresql:'] }),
    KAFKA_BROKERS: list({ default: ['127.0.0.1:9092'] }),
    // Prefix of every physical topic name (isolates environments or test runs on one broker).
    KAFKA_TOPIC_PREFIX: str({ default: '' }),
    // The broker's (or topic's) max message size: the outbox relay dead-letters a larger event
    // instead of retrying it forever. 16 MiB is infra/kafka's message.max.bytes.
    KAFKA_MAX_MESSAGE_BYTES: int({ default: 16 * 1024 * 1024, min: 64 * 1024 }),
    // TLS, SASL and replication factor of a production cluster (./kafka.ts, docs/kafka.md).
    ...kafkaConnectionSpecs(),
    // Comma list of "token=tenant[:role]" pairs; in production mount it from a secret.
    API_TOKENS: str({ default: '' }),
    API_TOKENS_FILE: str({ default: '' }),
    ...telemetrySpecs(),
    SHUTDOWN_TIMEOUT_MS: int({ default: 15000, min: 100 }),
  };
}

export * from './auth';
export * from './permissions';
export * from './kafka';
export * from './command-line';
