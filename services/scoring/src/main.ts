// Composition root: telemetry first (its require hooks must see pg/http), then the service.
import { startTelemetry, createLogger } from '@customs/telemetry';
import { runMain } from '@customs/service';

startTelemetry({ serviceName: 'scoring', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined });
const logger = createLogger('scoring', process.env.LOG_LEVEL || 'info');
runMain(
  'scoring',
  async () => {
    const { loadConfig } = await import('./config');
    const { startScoringService } = await import('./service');
    return startScoringService(loadConfig());
  },
  logger,
);
