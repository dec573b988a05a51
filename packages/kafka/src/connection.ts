import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { ConfigError, type KAFKA_SASL_MECHANISMS } from '@customs/config';

/** The connection variables as parsed by @customs/config's kafkaConnectionSpecs. */
export interface KafkaConnectionSettings {
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE: string;
  KAFKA_SSL_CERT_FILE: string;
  KAFKA_SSL_KEY_FILE: string;
  KAFKA_SSL_KEY_PASSWORD: string;
  KAFKA_SSL_REJECT_UNAUTHORIZED: boolean;
  KAFKA_SASL_MECHANISM: (typeof KAFKA_SASL_MECHANISMS)[number];
  KAFKA_SASL_USERNAME: string;
  KAFKA_SASL_PASSWORD: string;
  KAFKA_SASL_PASSWORD_FILE: string;
  KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: string;
  KAFKA_SASL_OAUTHBEARER_TOKEN_URL: string;
  KAFKA_SASL_OAUTHBEARER_CLIENT_ID: string;
  KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: string;
  KAFKA_SASL_OAUTHBEARER_SCOPE: string;
}

const UNSET: KafkaConnectionSettings = {
  KAFKA_SSL: false,
  KAFKA_SSL_CA_FILE: '',
  KAFKA_SSL_CERT_FILE: '',
  KAFKA_SSL_KEY_FILE: '',
  KAFKA_SSL_KEY_PASSWORD: '',
  KAFKA_SSL_REJECT_UNAUTHORIZED: true,
  KAFKA_SASL_MECHANISM: 'none',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SASL_PASSWORD_FILE: '',
  KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: '',
  KAFKA_SASL_OAUTHBEARER_TOKEN_URL: '',
  KAFKA_SASL_OAUTHBEARER_CLIENT_ID: '',
  KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: '',
  KAFKA_SASL_OAUTHBEARER_SCOPE: '',
};

/** What kafkajs' Kafka constructor takes for TLS and SASL. */
export interface KafkaSecurityOptions {
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
}

/** OAuth 2.0 client-credentials token fetcher (the OAUTHBEARER token a broker verifies). */
export type TokenFetch = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

function readable(name: string, file: string, problems: string[]): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    problems.push(`${name}: cannot read "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return undefined;
  }
}

/**
 * Maps the connection variables to kafkajs' `ssl` and `sasl` options, checking what one variable
 * alone cannot: a mechanism's credentials are all there and not contradictory, certificate and key
 * come together, files are readable, nothing is set that would be silently ignored. Throws one
 * ConfigError listing every problem by variable, before any connection is tried.
 */
export function kafkaSecurityOptions(settings: Partial<KafkaConnectionSettings>, fetchToken: TokenFetch = fetch as unknown as TokenFetch): KafkaSecurityOptions {
  // A configuration built by hand (a script, a harness) may leave variables out: they are unset.
  const s: KafkaConnectionSettings = { ...UNSET, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) };
  const problems: string[] = [];
  const out: KafkaSecurityOptions = {};

  const tlsFiles = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_KEY_PASSWORD'] as const).filter((k) => s[k] !== '');
  if (!s.KAFKA_SSL) {
    for (const k of tlsFiles) problems.push(`${k} is set but KAFKA_SSL is not true: set KAFKA_SSL=true to use TLS`);
    if (!s.KAFKA_SSL_REJECT_UNAUTHORIZED) problems.push('KAFKA_SSL_REJECT_UNAUTHORIZED is false but KAFKA_SSL is not true');
  } else {
    const tls: ConnectionOptions = { rejectUnauthorized: s.KAFKA_SSL_REJECT_UNAUTHORIZED };
    if (s.KAFKA_SSL_CA_FILE) tls.ca = [readable('KAFKA_SSL_CA_FILE', s.KAFKA_SSL_CA_FILE, problems) ?? ''];
    if ((s.KAFKA_SSL_CERT_FILE === '') !== (s.KAFKA_SSL_KEY_FILE === '')) problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS): set both or neither');
    if (s.KAFKA_SSL_CERT_FILE) tls.cert = readable('KAFKA_SSL_CERT_FILE', s.KAFKA_SSL_CERT_FILE, problems);
    if (s.KAFKA_SSL_KEY_FILE) tls.key = readable('KAFKA_SSL_KEY_FILE', s.KAFKA_SSL_KEY_FILE, problems);
    if (s.KAFKA_SSL_KEY_PASSWORD) {
      if (!s.KAFKA_SSL_KEY_FILE) problems.push('KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEY_FILE');
      tls.passphrase = s.KAFKA_SSL_KEY_PASSWORD;
    }
    out.ssl = tls.ca || tls.cert || !tls.rejectUnauthorized ? tls : true;
  }

  const mechanism = s.KAFKA_SASL_MECHANISM;
  const userPass = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const).filter((k) => s[k] !== '');
  const oauth = (
    ['KAFKA_SASL_OAUTHBEARER_TOKEN_FILE', 'KAFKA_SASL_OAUTHBEARER_TOKEN_URL', 'KAFKA_SASL_OAUTHBEARER_CLIENT_ID', 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET', 'KAFKA_SASL_OAUTHBEARER_SCOPE'] as const
  ).filter((k) => s[k] !== '');
  if (mechanism !== 'oauthbearer') for (const k of oauth) problems.push(`${k} is set but KAFKA_SASL_MECHANISM is ${mechanism}, not oauthbearer`);
  if (mechanism === 'none' || mechanism === 'oauthbearer')
    for (const k of userPass) problems.push(`${k} is set but KAFKA_SASL_MECHANISM is ${mechanism}: set plain, scram-sha-256 or scram-sha-512 to use it`);

  if (mechanism === 'plain' || mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512') {
    if (!s.KAFKA_SASL_USERNAME) problems.push(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    let password = s.KAFKA_SASL_PASSWORD;
    if (s.KAFKA_SASL_PASSWORD && s.KAFKA_SASL_PASSWORD_FILE) problems.push('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set: keep one');
    else if (s.KAFKA_SASL_PASSWORD_FILE) password = (readable('KAFKA_SASL_PASSWORD_FILE', s.KAFKA_SASL_PASSWORD_FILE, problems) ?? '').replace(/\r?\n$/, '');
    else if (!s.KAFKA_SASL_PASSWORD) problems.push(`KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    out.sasl = { mechanism, username: s.KAFKA_SASL_USERNAME, password } as SASLOptions;
  } else if (mechanism === 'oauthbearer') {
    const file = s.KAFKA_SASL_OAUTHBEARER_TOKEN_FILE;
    const url = s.KAFKA_SASL_OAUTHBEARER_TOKEN_URL;
    if (file && url) problems.push('KAFKA_SASL_OAUTHBEARER_TOKEN_FILE and KAFKA_SASL_OAUTHBEARER_TOKEN_URL are both set: keep one');
    else if (!file && !url) problems.push('KAFKA_SASL_MECHANISM=oauthbearer needs KAFKA_SASL_OAUTHBEARER_TOKEN_FILE or KAFKA_SASL_OAUTHBEARER_TOKEN_URL');
    if (file) {
      readable('KAFKA_SASL_OAUTHBEARER_TOKEN_FILE', file, problems);
      for (const k of ['KAFKA_SASL_OAUTHBEARER_CLIENT_ID', 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET', 'KAFKA_SASL_OAUTHBEARER_SCOPE'] as const)
        if (s[k]) problems.push(`${k} is set but only used with KAFKA_SASL_OAUTHBEARER_TOKEN_URL`);
      // Re-read at every (re)authentication: the file is rotated by whoever mounts it.
      out.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: fs.readFileSync(file, 'utf8').trim() }) };
    } else if (url) {
      if (!s.KAFKA_SASL_OAUTHBEARER_CLIENT_ID) problems.push('KAFKA_SASL_OAUTHBEARER_CLIENT_ID is required with KAFKA_SASL_OAUTHBEARER_TOKEN_URL');
      if (!s.KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET) problems.push('KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET is required with KAFKA_SASL_OAUTHBEARER_TOKEN_URL');
      out.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: clientCredentialsProvider(s, fetchToken) };
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): one POST of grant_type=client_credentials to the
 * token endpoint, the access token reused until a minute before it expires. Written here rather
 * than pulled in: it is one request, and the OAuth libraries on npm bring whole OIDC stacks.
 */
function clientCredentialsProvider(s: KafkaConnectionSettings, fetchToken: TokenFetch): () => Promise<{ value: string }> {
  let cached: { value: string; until: number } | undefined;
  return async () => {
    if (cached && Date.now() < cached.until) return { value: cached.value };
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: s.KAFKA_SASL_OAUTHBEARER_CLIENT_ID, client_secret: s.KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET });
    if (s.KAFKA_SASL_OAUTHBEARER_SCOPE) body.set('scope', s.KAFKA_SASL_OAUTHBEARER_SCOPE);
    const res = await fetchToken(s.KAFKA_SASL_OAUTHBEARER_TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    });
    if (!res.ok) throw new Error(`OAUTHBEARER token endpoint ${s.KAFKA_SASL_OAUTHBEARER_TOKEN_URL} answered HTTP ${res.status}`);
    const json = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof json.access_token !== 'string' || json.access_token === '') throw new Error(`OAUTHBEARER token endpoint ${s.KAFKA_SASL_OAUTHBEARER_TOKEN_URL} returned no access_token`);
    const lifetime = typeof json.expires_in === 'number' ? json.expires_in : 300;
    cached = { value: json.access_token, until: Date.now() + Math.max(0, lifetime - 60) * 1000 };
    return { value: cached.value };
  };
}
