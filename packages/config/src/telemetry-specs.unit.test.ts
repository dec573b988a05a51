import { ConfigError, keyValues, optionalUrl, parseEnv, telemetrySpecs } from './index';

describe('telemetry settings', () => {
  it('defaults to info logs and no exporter', () => {
    expect(parseEnv(telemetrySpecs(), {})).toEqual({ LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_HEADERS: {} });
  });

  it('reads an OTLP endpoint and percent-decoded headers', () => {
    const c = parseEnv(telemetrySpecs(), { LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%3Db, x-team = customs' });
    expect(c).toEqual({ LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com', OTEL_EXPORTER_OTLP_HEADERS: { 'api-key': 'a=b', 'x-team': 'customs' } });
  });

  it('names each bad or unsupported variable', () => {
    let err: unknown;
    try {
      parseEnv(telemetrySpecs(), { LOG_LEVEL: 'verbose', OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x', OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
      'OTEL_SERVICE_NAME is not read by this platform (supported: OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS); unset it',
      'OTEL_EXPORTER_OTLP_ENDPOINT must use http: or https:, got ftp:',
      'OTEL_EXPORTER_OTLP_HEADERS must be comma-separated key=value pairs; pair 1 ("novalue") has no key',
    ]);
  });

  it('an empty optional URL is unset, a present one is checked', () => {
    expect(parseEnv({ U: optionalUrl() }, { U: ' ' })).toEqual({ U: '' });
    expect(() => parseEnv({ U: optionalUrl() }, { U: '::' })).toThrow('U must be a URL');
    expect(parseEnv({ H: keyValues() }, {})).toEqual({ H: {} });
  });
});
