import { commonServiceSpecs, parseEnv, str, url } from '@customs/config';

/** Reporting service configuration (environment variables, validated at start). */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      ...commonServiceSpecs('reporting', { httpPort: 8086, grpcPort: 9086 }),
      // Public REST APIs reporting reads (never their databases). Calls carry the caller's own
      // bearer token: a token is bound to one tenant, so a platform service token would read
      // the platform tenant's data, not the caller's.
      INGESTION_URL: url({ default: 'http://127.0.0.1:8081', protocols: ['http:', 'https:'] }),
      ALERTING_URL: url({ default: 'http://127.0.0.1:8085', protocols: ['http:', 'https:'] }),
      VALIDATION_URL: url({ default: 'http://127.0.0.1:8083', protocols: ['http:', 'https:'] }),
      SCORING_URL: url({ default: 'http://127.0.0.1:8084', protocols: ['http:', 'https:'] }),
      // Headless Chromium that prints reports to PDF (ADR 0008; Debian's package).
      CHROMIUM_PATH: str({ default: '/usr/bin/chromium' }),
      // Playbooks (versioned data files: steps, RACI roles, deadlines relative to the letter).
      PLAYBOOKS_DIR: str({ default: 'services/reporting/playbooks' }),
    },
    env,
  );
}
export type ReportingConfig = ReturnType<typeof loadConfig>;
