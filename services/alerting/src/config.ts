import * as path from 'node:path';
import { commonServiceSpecs, int, parseEnv, str } from '@customs/config';
import { deliveryConfigSpecs } from './delivery/config';

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      ...commonServiceSpecs('alerting', { httpPort: 8085, grpcPort: 9085 }),
      // Folder of the Sigma-shaped alert rule files.
      ALERT_RULES_DIR: str({ default: path.resolve(__dirname, '..', 'rules') }),
      // How often the deadline pass runs (deadline alerts raised/escalated, time-barred ones expired).
      DEADLINE_TICK_MS: int({ default: 60_000, min: 100 }),
      // Webhooks, SSE and syslog (services/alerting/README.md, "Delivery").
      ...deliveryConfigSpecs(),
    },
    env,
  );
}
export type AlertingConfig = ReturnType<typeof loadConfig>;
