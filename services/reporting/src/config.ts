import { commonServiceSpecs, int, parseEnv, str, url } from '@customs/config';

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
      SCORING_URL: url({ default: 'http://127.0.0.1:8084', protocols: ['http:', 'https:'] }),
      // Headless Chromium that prints reports to PDF (ADR 0008; Debian's package).
      CHROMIUM_PATH: str({ default: '/usr/bin/chromium' }),
      // Playbooks (versioned data files: steps, RACI roles, deadlines relative to the letter).
      PLAYBOOKS_DIR: str({ default: 'services/reporting/playbooks' }),
      // Monthly board reports: a file of bearer tokens, one per tenant (an analyst token of that
      // tenant; tokens are tenant-bound), the day of the month they are due from, and how often
      // the schedule looks. Empty file name = no schedule.
      SCHEDULE_TOKENS_FILE: str({ default: '' }),
      BOARD_REPORT_DAY: int({ default: 1, min: 1, max: 28 }),
      SCHEDULE_TICK_MS: int({ default: 3_600_000, min: 100 }),
    },
    env,
  );
}
export type ReportingConfig = ReturnType<typeof loadConfig>;
