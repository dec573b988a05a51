// A service given a bad variable stops before it starts anything, with the variable named on
// stderr, no stack trace, and exit code 78 (EXIT_CONFIG) — for every service's real main.js.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CONFIG } from '@customs/config';
import { REPO_ROOT, SERVICES } from '../src';

function runMain(service: string, env: Record<string, string>) {
  const main = path.join(REPO_ROOT, `services/${service}/dist/main.js`);
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (make build; make test does it)`);
  // Nothing is listening on these: were the configuration accepted, start-up would fail with 1.
  const base = { PATH: process.env.PATH ?? '', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', KAFKA_BROKERS: '127.0.0.1:1', SERVICE_TOKEN: 'x', HTTP_PORT: '0', GRPC_PORT: '0' };
  const r = spawnSync(process.execPath, [main], { env: { ...base, ...env }, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('configuration errors at start-up (real service processes)', () => {
  it.each(SERVICES.map((s) => [s]))('%s: LOG_LEVEL=verbose exits 78 naming LOG_LEVEL', (service) => {
    const r = runMain(service, { LOG_LEVEL: 'verbose' });
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain(`${service}: Invalid configuration:`);
    expect(r.stderr).toContain('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['not a url', 'OTEL_EXPORTER_OTLP_ENDPOINT must be a URL, got a value that does not parse'],
    ['localhost:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT must use http: or https:, got localhost:'],
  ])('a bad OTLP endpoint (%s) exits 78 naming it', (endpoint, message) => {
    const r = runMain('scoring', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports every problem at once, an unsupported OTEL_* variable and bad OTLP headers included', () => {
    const r = runMain('alerting', { LOG_LEVEL: 'loud', OTEL_TRACES_SAMPLER: 'always_off', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc,=oops', HTTP_PORT: '99999' });
    expect(r.code).toBe(EXIT_CONFIG);
    for (const m of [
      'HTTP_PORT must be <= 65535, got 99999',
      'LOG_LEVEL must be one of',
      'OTEL_TRACES_SAMPLER is not read by this platform (supported: OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS); unset it',
      'OTEL_EXPORTER_OTLP_HEADERS must be comma-separated key=value pairs; pair 2 ("=oops") has no key',
    ])
      expect(r.stderr).toContain(m);
  });

  it('a valid configuration gets past the check: an unreachable database fails start-up with 1, not 78', () => {
    const r = runMain('scoring', { LOG_LEVEL: 'fatal', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('scoring failed to start');
  });
});
