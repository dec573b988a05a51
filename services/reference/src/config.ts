import * as path from 'node:path';
import { ConfigError, commonServiceSpecs, int, list, parseEnv, str, url, type VarSpec } from '@customs/config';

/** An optional string: "" when unset. */
const optional = (): VarSpec<string> => ({ read: (env, name) => (env[name] ?? '').trim() });

/** "HH:MM" (UTC) or "" (off): the time of day the scheduled OTT sync runs. */
const dailyAt = (): VarSpec<string> => ({
  read(env, name, problems) {
    const v = (env[name] ?? '').trim();
    if (v && !/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) problems.push(`${name} must be HH:MM (UTC, 24-hour) or empty for no schedule, got "${v}"`);
    return v;
  },
});

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const config = parseEnv(
    {
      ...commonServiceSpecs('reference', { httpPort: 8082, grpcPort: 9082 }),
      // Folder with the bundled reference data (see services/reference/data/SOURCES.md).
      REFERENCE_DATA_DIR: str({ default: path.resolve(__dirname, '..', 'data') }),
      // How often to pick up OTT loads written by other replicas or the CLI (0 = never).
      REFERENCE_SYNC_INTERVAL_MS: int({ default: 5000, min: 0 }),
      // Largest OTT file accepted by the admin endpoint.
      REFERENCE_MAX_LOAD_BYTES: int({ default: 200 * 1024 * 1024, min: 1024 }),
      // An .xlsx OTT report is read on a worker thread of its own (admin endpoint and CLI), so a
      // hostile or huge workbook is a 422, not a frozen or crashed service: one that takes longer
      // than this, or more heap than this (MB), is stopped and refused. The published daily
      // report is far larger than any CDS report, hence more room than ingestion's defaults.
      WORKBOOK_TIMEOUT_MS: int({ default: 120_000, min: 100, max: 600_000 }),
      WORKBOOK_MAX_MEMORY_MB: int({ default: 2048, min: 64, max: 16_384 }),
      // Workbooks read at once (each may use WORKBOOK_MAX_MEMORY_MB); further loads wait.
      WORKBOOK_CONCURRENCY: int({ default: 1, min: 1, max: 16 }),
      // Online Trade Tariff API v2 sync (src/ott-api). Base URL up to and including "/api" of one
      // tariff (uk or xi); the public API by default. Tests point it at a local stand-in server.
      OTT_API_BASE_URL: url({ default: 'https://api.trade-tariff.service.gov.uk/uk/api', protocols: ['https:', 'http:'] }),
      // OAuth 2.0 client credentials from the Trade Tariff developer portal (both or neither; without
      // them requests go unauthenticated, at the API's lower rate limit).
      OTT_API_TOKEN_URL: url({ default: 'https://auth.id.trade-tariff.service.gov.uk/oauth2/token', protocols: ['https:', 'http:'] }),
      OTT_API_CLIENT_ID: optional(),
      OTT_API_CLIENT_SECRET: optional(),
      OTT_API_SCOPE: str({ default: 'tariff/read' }),
      // Attempts per request (429 / 5xx / network errors retried with backoff and jitter), the
      // longest single wait (a Retry-After beyond it is capped), and the per-request timeout.
      OTT_API_MAX_ATTEMPTS: int({ default: 6, min: 1, max: 20 }),
      OTT_API_MAX_BACKOFF_MS: int({ default: 60_000, min: 1, max: 3_600_000 }),
      OTT_API_TIMEOUT_MS: int({ default: 30_000, min: 100, max: 600_000 }),
      // Commodity requests a sync keeps in flight (kept low: the API rate-limits per client).
      OTT_API_CONCURRENCY: int({ default: 4, min: 1, max: 16 }),
      // Daily incremental sync at this UTC time ("" = only on demand: POST /v1/admin/ott-syncs or the CLI).
      OTT_SYNC_DAILY_AT: dailyAt(),
      // Geographical-area groups whose membership each sync refreshes (measures name groups, e.g. 1013 EU).
      OTT_SYNC_GROUPS: list({ default: ['1013'] }),
    },
    env,
  );
  const problems: string[] = [];
  if (!!config.OTT_API_CLIENT_ID !== !!config.OTT_API_CLIENT_SECRET)
    problems.push(`OTT_API_CLIENT_ID and OTT_API_CLIENT_SECRET go together (OAuth client credentials): ${config.OTT_API_CLIENT_ID ? 'OTT_API_CLIENT_SECRET' : 'OTT_API_CLIENT_ID'} is missing`);
  for (const g of config.OTT_SYNC_GROUPS) if (!/^[0-9A-Z]{2,4}$/.test(g)) problems.push(`OTT_SYNC_GROUPS: "${g}" is not a geographical area id (e.g. 1013)`);
  if (problems.length) throw new ConfigError(problems);
  return config;
}
export type ReferenceConfig = ReturnType<typeof loadConfig>;
