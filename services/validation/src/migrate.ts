// Applies validation's database migrations and exits: the deployment's migrations Job runs it before a
// rollout (deploy/kubernetes). Exit 0 done, 1 failed, 78 bad configuration.
import { exitOnConfigError } from '@customs/config';
import { migrateService } from '@customs/service';
import { createLogger } from '@customs/telemetry';
import { loadConfig } from './config';
import { migrations } from './db/migrations';

const config = exitOnConfigError('validation', () => loadConfig());
const logger = createLogger('validation', config.LOG_LEVEL);
migrateService({ name: 'validation', databaseUrl: config.DATABASE_URL, migrations, logger }).then(
  () => process.exit(0),
  (e) => {
    logger.fatal({ err: e }, `validation migrations failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
