import * as path from 'node:path';
import { commonServiceSpecs, parseEnv, str } from '@customs/config';

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      ...commonServiceSpecs('reference', { httpPort: 8082, grpcPort: 9082 }),
      // Folder with the bundled reference data (see services/reference/data/SOURCES.md).
      REFERENCE_DATA_DIR: str({ default: path.resolve(__dirname, '..', 'data') }),
    },
    env,
  );
}
export type ReferenceConfig = ReturnType<typeof loadConfig>;
