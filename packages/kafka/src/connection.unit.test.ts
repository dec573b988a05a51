import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, kafkaConnectionSpecs, parseEnv } from '@customs/config';
import { kafkaSecurityOptions, type TokenFetch } from './connection';

// The mapping from KAFKA_SSL_* / KAFKA_SASL_* to kafkajs' ssl/sasl options, and the named errors.
// (No SASL or TLS listener runs on this machine's broker, so the handshake itself is kafkajs'.)
const settings = (env: Record<string, string>) => parseEnv(kafkaConnectionSpecs(), env);
const problems = (env: Record<string, string>) => {
  try {
    kafkaSecurityOptions(settings(env));
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
};

describe('Kafka TLS and SASL options from the environment', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-conn-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('nothing set: PLAINTEXT, no SASL, replication factor 1', () => {
    expect(kafkaSecurityOptions(settings({}))).toEqual({});
    expect(settings({}).KAFKA_REPLICATION_FACTOR).toBe(1);
    expect(settings({ KAFKA_REPLICATION_FACTOR: '3' }).KAFKA_REPLICATION_FACTOR).toBe(3);
  });

  it('Confluent Cloud / MSK SCRAM: TLS with the system CAs and SASL with username and password (or a password file)', () => {
    expect(kafkaSecurityOptions(settings({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'API_KEY', KAFKA_SASL_PASSWORD: 'API_SECRET' }))).toEqual({
      ssl: true,
      sasl: { mechanism: 'plain', username: 'API_KEY', password: 'API_SECRET' },
    });
    const pw = file('password', 's3cret\n');
    expect(kafkaSecurityOptions(settings({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'customs', KAFKA_SASL_PASSWORD_FILE: pw }))).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'customs', password: 's3cret' },
    });
  });

  it('Strimzi mutual TLS: the cluster CA and the user certificate and key, read from files', () => {
    const ca = file('ca.crt', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
    const cert = file('user.crt', 'CERT');
    const key = file('user.key', 'KEY');
    expect(kafkaSecurityOptions(settings({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key, KAFKA_SSL_KEY_PASSWORD: 'pp' }))).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n'], cert: 'CERT', key: 'KEY', passphrase: 'pp' },
    });
  });

  it('OAUTHBEARER from a token file (re-read at each authentication) or a client-credentials endpoint (cached)', async () => {
    const token = file('token', 'eyJ.first\n');
    const fromFile = kafkaSecurityOptions(settings({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: token }));
    const provider = (fromFile.sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'eyJ.first' });
    fs.writeFileSync(token, 'eyJ.rotated');
    expect(await provider()).toEqual({ value: 'eyJ.rotated' });

    const calls: { url: string; body: string }[] = [];
    // Stand-in for the identity provider's token endpoint (none runs here).
    const fetchToken: TokenFetch = async (url, init) => {
      calls.push({ url, body: init.body });
      return { ok: true, status: 200, json: async () => ({ access_token: 'at-1', expires_in: 3600 }) };
    };
    const cc = kafkaSecurityOptions(
      settings({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'oauthbearer',
        KAFKA_SASL_OAUTHBEARER_TOKEN_URL: 'https://idp.example/oauth2/token',
        KAFKA_SASL_OAUTHBEARER_CLIENT_ID: 'customs',
        KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: 'cs',
        KAFKA_SASL_OAUTHBEARER_SCOPE: 'kafka',
      }),
      fetchToken,
    );
    const ccProvider = (cc.sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider;
    expect([await ccProvider(), await ccProvider()]).toEqual([{ value: 'at-1' }, { value: 'at-1' }]);
    expect(calls).toEqual([{ url: 'https://idp.example/oauth2/token', body: 'grant_type=client_credentials&client_id=customs&client_secret=cs&scope=kafka' }]);
  });

  it('refuses contradictory or incomplete settings with every problem named by variable', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=scram-sha-256',
      'KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) is required with KAFKA_SASL_MECHANISM=scram-sha-256',
    ]);
    expect(problems({ KAFKA_SSL_CA_FILE: '/etc/ca.pem', KAFKA_SASL_USERNAME: 'u' })).toEqual([
      'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true: set KAFKA_SSL=true to use TLS',
      'KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is none: set plain, scram-sha-256 or scram-sha-512 to use it',
    ]);
    expect(problems({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: path.join(dir, 'missing.crt') })).toEqual([
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS): set both or neither',
      `KAFKA_SSL_CERT_FILE: cannot read "${path.join(dir, 'missing.crt')}" (ENOENT)`,
    ]);
    expect(problems({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_URL: 'https://idp.example/token' })).toEqual([
      'KAFKA_SASL_OAUTHBEARER_CLIENT_ID is required with KAFKA_SASL_OAUTHBEARER_TOKEN_URL',
      'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET is required with KAFKA_SASL_OAUTHBEARER_TOKEN_URL',
    ]);
    expect(() => settings({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(ConfigError);
    expect(() => settings({ KAFKA_REPLICATION_FACTOR: '0' })).toThrow('KAFKA_REPLICATION_FACTOR must be >= 1, got 0');
  });
});
