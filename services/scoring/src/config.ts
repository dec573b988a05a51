import { commonServiceSpecs, parseEnv } from '@customs/config';

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv({ ...commonServiceSpecs('scoring', { httpPort: 8084, grpcPort: 9084 }) }, env);
}
export type ScoringConfig = ReturnType<typeof loadConfig>;
