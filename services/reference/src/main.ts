// Composition root: telemetry first (its require hooks must see pg/http), then the service.
import { startTelemetry, createLogger } from '@customs/telemetry';
import { runMain } from '@customs/service';

startTelemetry({ serviceName: 'reference', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined });
const logger = createLogger('reference', process.env.LOG_LEVEL || 'info');
runMain(
  'reference',
  async () => {
    const { loadConfig } = await import('./config');
    const { startReferenceService } = await import('./service');
    return startReferenceService(loadConfig());
  },
  logger,
);
