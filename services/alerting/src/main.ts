// Composition root: telemetry first (its require hooks must see pg/http), then the service.
import { startTelemetry, createLogger } from '@customs/telemetry';
import { runMain } from '@customs/service';

startTelemetry({ serviceName: 'alerting', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined });
const logger = createLogger('alerting', process.env.LOG_LEVEL || 'info');
runMain(
  'alerting',
  async () => {
    const { loadConfig } = await import('./config');
    const { startAlertingService } = await import('./service');
    return startAlertingService(loadConfig());
  },
  logger,
);
