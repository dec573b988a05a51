import { commonServiceSpecs, parseEnv, str } from '@customs/config';

/** Validation service configuration (environment variables, validated at start). */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      ...commonServiceSpecs('validation', { httpPort: 8083, grpcPort: 9083 }),
      REFERENCE_GRPC_ADDRESS: str({ default: '127.0.0.1:9082' }),
      // Token this service presents to the reference service (service-to-service call).
      SERVICE_TOKEN: str(),
    },
    env,
  );
}
export type ValidationConfig = ReturnType<typeof loadConfig>;
