import * as path from 'node:path';
import { commonServiceSpecs, int, parseEnv, str } from '@customs/config';

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      ...commonServiceSpecs('reference', { httpPort: 8082, grpcPort: 9082 }),
      // Folder with the bundled reference data (see services/reference/data/SOURCES.md).
      REFERENCE_DATA_DIR: str({ default: path.resolve(__dirname, '..', 'data') }),
      // How often to pick up OTT loads written by other replicas or the CLI (0 = never).
      REFERENCE_SYNC_INTERVAL_MS: int({ default: 5000, min: 0 }),
      // Largest OTT file accepted by the admin endpoint.
      REFERENCE_MAX_LOAD_BYTES: int({ default: 200 * 1024 * 1024, min: 1024 }),
      // An .xlsx OTT report is read on a worker thread of its own (admin endpoint and CLI), so a
      // hostile or huge workbook is a 422, not a frozen or crashed service: one that takes longer
      // than this, or more heap than this (MB), is stopped and refused. The published daily
      // report is far larger than any CDS report, hence more room than ingestion's defaults.
      WORKBOOK_TIMEOUT_MS: int({ default: 120_000, min: 100, max: 600_000 }),
      WORKBOOK_MAX_MEMORY_MB: int({ default: 2048, min: 64, max: 16_384 }),
      // Workbooks read at once (each may use WORKBOOK_MAX_MEMORY_MB); further loads wait.
      WORKBOOK_CONCURRENCY: int({ default: 1, min: 1, max: 16 }),
    },
    env,
  );
}
export type ReferenceConfig = ReturnType<typeof loadConfig>;
