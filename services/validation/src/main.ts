// Composition root: the whole configuration is checked first (a bad variable exits with
// EXIT_CONFIG, 78, naming it), then telemetry (its require hooks must see pg/http before they
// are loaded), then the service.
import { exitOnConfigError } from '@customs/config';
import { createLogger, startTelemetry } from '@customs/telemetry';
import { loadConfig } from './config';

const config = exitOnConfigError('validation', () => loadConfig());
startTelemetry({ serviceName: 'validation', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT || undefined, otlpHeaders: config.OTEL_EXPORTER_OTLP_HEADERS });
const logger = createLogger('validation', config.LOG_LEVEL);
void import('@customs/service').then(({ runMain }) =>
  runMain(
    'validation',
    async () => {
      const { startValidationService } = await import('./service');
      return startValidationService(config);
    },
    logger,
  ),
);
