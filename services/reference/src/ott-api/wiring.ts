// Builds the sync's ports over Postgres and the in-memory store, and its API client from the
// configuration: shared by the service (admin endpoint, daily schedule) and the CLI.
import type { Kysely } from '@customs/db';
import type { ReferenceStore } from '../app/store';
import type { ReferenceConfig } from '../config';
import { persistFxLoad } from '../db/fx-repo';
import type { ReferenceDb } from '../db/migrations';
import { persistOttLoad } from '../db/ott-repo';
import { ottSyncRepo } from '../db/ott-sync-repo';
import { OttApiClient } from './client';
import { runOttSync, type OttSyncPorts, type SyncRequest } from './sync';

export function ottApiClient(config: ReferenceConfig): OttApiClient {
  return new OttApiClient({
    baseUrl: config.OTT_API_BASE_URL,
    tokenUrl: config.OTT_API_TOKEN_URL,
    clientId: config.OTT_API_CLIENT_ID,
    clientSecret: config.OTT_API_CLIENT_SECRET,
    scope: config.OTT_API_SCOPE,
    maxAttempts: config.OTT_API_MAX_ATTEMPTS,
    maxBackoffMs: config.OTT_API_MAX_BACKOFF_MS,
    timeoutMs: config.OTT_API_TIMEOUT_MS,
  });
}

export function ottSyncPorts(db: Kysely<ReferenceDb>, store: ReferenceStore): OttSyncPorts & { list: ReturnType<typeof ottSyncRepo>['list'] } {
  const repo = ottSyncRepo(db);
  return {
    ...repo,
    fxLatestDay: () => store.fxCoverage()?.to,
    groupMembers: (g) => store.groupMembers(g),
    async loadOtt(source, version, imp, stopPress, asOf, quotaDefinitions) {
      const out = await persistOttLoad(db, source, version, imp, new Date(), { stopPress, asOf, quotaDefinitions });
      if (!out.duplicate) store.applyOttLoad(out.info, out.measures, out.groups, new Map(imp.commodityCodes.map((c) => [c, asOf])));
      return { version, duplicate: out.duplicate, commodityCodes: imp.commodityCodes, tariffChanges: out.tariffChanges.length };
    },
    async loadFx(source, version, rows) {
      const out = await persistFxLoad(db, source, version, rows);
      if (!out.duplicate) store.applyFxLoad(out.info, out.rows);
      return { version, duplicate: out.duplicate };
    },
  };
}

/** One sync with a fresh client (its stats are the sync's own). */
export function syncOnce(config: ReferenceConfig, db: Kysely<ReferenceDb>, store: ReferenceStore, req: Omit<SyncRequest, 'groups'> & { groups?: string[] }) {
  return runOttSync(ottApiClient(config), ottSyncPorts(db, store), { concurrency: config.OTT_API_CONCURRENCY, ...req, groups: req.groups ?? [...config.OTT_SYNC_GROUPS] });
}
