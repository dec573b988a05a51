// Composition root: the whole configuration is checked first (a bad variable exits with
// EXIT_CONFIG, 78, naming it), then telemetry (its require hooks must see pg/http before they
// are loaded), then the service.
import { exitOnConfigError } from '@customs/config';
import { createLogger, startTelemetry } from '@customs/telemetry';
import { loadConfig } from './config';

const config = exitOnConfigError('ingestion', () => loadConfig());
startTelemetry({ serviceName: 'ingestion', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT || undefined, otlpHeaders: config.OTEL_EXPORTER_OTLP_HEADERS });
const logger = createLogger('ingestion', config.LOG_LEVEL);
void import('@customs/service').then(({ runMain }) =>
  runMain(
    'ingestion',
    async () => {
      const { startIngestionService } = await import('./service');
      return startIngestionService(config);
    },
    logger,
  ),
);
