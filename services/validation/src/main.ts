// Composition root: telemetry first (its require hooks must see pg/http), then the service.
import { startTelemetry, createLogger } from '@customs/telemetry';
import { runMain } from '@customs/service';

startTelemetry({ serviceName: 'validation', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined });
const logger = createLogger('validation', process.env.LOG_LEVEL || 'info');
runMain(
  'validation',
  async () => {
    const { loadConfig } = await import('./config');
    const { startValidationService } = await import('./service');
    return startValidationService(loadConfig());
  },
  logger,
);
