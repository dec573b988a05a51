// Composition root: telemetry first (its require hooks must see pg/http), then the service.
import { startTelemetry, createLogger } from '@customs/telemetry';
import { runMain } from '@customs/service';

startTelemetry({ serviceName: 'reporting', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined });
const logger = createLogger('reporting', process.env.LOG_LEVEL || 'info');
runMain(
  'reporting',
  async () => {
    const { loadConfig } = await import('./config');
    const { startReportingService } = await import('./service');
    return startReportingService(loadConfig());
  },
  logger,
);
