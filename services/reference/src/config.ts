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
    },
    env,
  );
}
export type ReferenceConfig = ReturnType<typeof loadConfig>;
