// Composition root: telemetry first (its require hooks must see pg/http), then the service.
import { startTelemetry, createLogger } from '@customs/telemetry';
import { runMain } from '@customs/service';

startTelemetry({ serviceName: 'ingestion', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined });
const logger = createLogger('ingestion', process.env.LOG_LEVEL || 'info');
runMain(
  'ingestion',
  async () => {
    const { loadConfig } = await import('./config');
    const { startIngestionService } = await import('./service');
    return startIngestionService(loadConfig());
  },
  logger,
);
