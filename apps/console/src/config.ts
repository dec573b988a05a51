// The console's settings, parsed once at start; a bad one is named (same rules as the services).
import { bool, int, LOG_LEVELS, oneOf, parseEnv, port, str, url } from '@customs/config';

export function loadConsoleConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      CONSOLE_HOST: str({ default: '127.0.0.1' }),
      CONSOLE_PORT: port({ default: 8080 }),
      // The same token registry the services read: the console needs a token's tenant and role to
      // decide what to show before it calls anything, and each service checks the token again.
      API_TOKENS: str({ default: '' }),
      API_TOKENS_FILE: str({ default: '' }),
      INGESTION_URL: url({ default: 'http://127.0.0.1:8081' }),
      REFERENCE_URL: url({ default: 'http://127.0.0.1:8082' }),
      VALIDATION_URL: url({ default: 'http://127.0.0.1:8083' }),
      SCORING_URL: url({ default: 'http://127.0.0.1:8084' }),
      ALERTING_URL: url({ default: 'http://127.0.0.1:8085' }),
      REPORTING_URL: url({ default: 'http://127.0.0.1:8086' }),
      SESSION_TTL_MINUTES: int({ default: 480, min: 5, max: 7 * 24 * 60 }),
      // Secure cookies need HTTPS; behind a TLS-terminating proxy set it to true.
      COOKIE_SECURE: bool({ default: false }),
      WEB_ROOT: str({ default: '' }),
      LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info' }),
    },
    env,
  );
}
export type ConsoleConfig = ReturnType<typeof loadConsoleConfig>;
