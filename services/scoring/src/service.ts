import { startPlatformService, type RunningService } from '@customs/service';
import { migrations, type ScoringDb } from './db/migrations';
import { registerGrpc } from './grpc/scoring-grpc';
import { registerBooksRoutes } from './http/books-routes';
import { registerEvidenceRoutes } from './http/evidence-routes';
import { registerRoutes } from './http/routes';
import { registerConsumers } from './kafka/consumers';
import { registerReconciliationConsumers } from './kafka/reconciliation-consumers';
import type { ScoringConfig } from './config';

/**
 * Starts the scoring service (wiring only): history checks over full declarations, scores from
 * validation's checks and history's findings, REST and gRPC reads. See services/scoring/README.md.
 */
export async function startScoringService(config: ScoringConfig): Promise<RunningService> {
  return startPlatformService<ScoringDb>({
    name: 'scoring',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      registerConsumers(kit, db);
      registerReconciliationConsumers(kit, db);
      registerGrpc(kit.grpc, db);
      registerRoutes(kit.http, db);
      registerBooksRoutes(kit.http, db);
      registerEvidenceRoutes(kit.http, db);
    },
  });
}
