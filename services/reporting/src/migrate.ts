// Applies reporting's database migrations and exits: the deployment's migrations Job runs it before a
// rollout (deploy/kubernetes). Exit 0 done, 1 failed, 78 bad configuration.
import { exitOnConfigError } from '@customs/config';
import { migrateService } from '@customs/service';
import { createLogger } from '@customs/telemetry';
import { loadConfig } from './config';
import { migrations } from './db/migrations';

const config = exitOnConfigError('reporting', () => loadConfig());
const logger = createLogger('reporting', config.LOG_LEVEL);
migrateService({ name: 'reporting', databaseUrl: config.DATABASE_URL, migrations, logger }).then(
  () => process.exit(0),
  (e) => {
    logger.fatal({ err: e }, `reporting migrations failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
