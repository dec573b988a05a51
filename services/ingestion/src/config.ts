import { commonServiceSpecs, int, parseEnv } from '@customs/config';

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      ...commonServiceSpecs('ingestion', { httpPort: 8081, grpcPort: 9081 }),
      // Largest single document accepted (bytes); bigger uploads are refused before parsing.
      MAX_DOCUMENT_BYTES: int({ default: 10 * 1024 * 1024, min: 1024 }),
    },
    env,
  );
}
export type IngestionConfig = ReturnType<typeof loadConfig>;
