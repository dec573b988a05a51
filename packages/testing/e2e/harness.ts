import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningService } from '@customs/service';
import { HMRC_SAMPLES, createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, type TestDatabase } from '../src';
import type { KafkaHandle } from '@customs/kafka';
import { loadConfig as ingestionConfig } from '../../../services/ingestion/src/config';
import { startIngestionService } from '../../../services/ingestion/src/service';
import { signSubmission } from '../../../services/ingestion/src/app/submission-signature';
import { randomBytes } from 'node:crypto';
import { loadConfig as referenceConfig } from '../../../services/reference/src/config';
import { startReferenceService } from '../../../services/reference/src/service';
import { loadConfig as validationConfig } from '../../../services/validation/src/config';
import { startValidationService } from '../../../services/validation/src/service';
import { loadConfig as scoringConfig } from '../../../services/scoring/src/config';
import { startScoringService } from '../../../services/scoring/src/service';
import { loadConfig as alertingConfig } from '../../../services/alerting/src/config';
import { startAlertingService } from '../../../services/alerting/src/service';

/** The five real services in this process, on their own topics and database. */
export interface Platform {
  tenant: string;
  tokens: ReturnType<typeof testTokens>;
  /** Headers of a Kafka submission signed with the tenant's submission key (ingestion's SUBMISSION_KEYS). */
  submissionHeaders(ceId: string, value: Buffer): Record<string, string>;
  db: TestDatabase;
  kafka: KafkaHandle;
  services: Record<'reference' | 'ingestion' | 'validation' | 'scoring' | 'alerting', RunningService>;
  /** Authenticated JSON request to a service's HTTP API. */
  http(service: keyof Platform['services'], method: string, p: string, body?: Buffer | string, opts?: { token?: string; contentType?: string }): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export function sample(rel: string): Buffer {
  return fs.readFileSync(path.join(HMRC_SAMPLES, rel));
}

/** `extraTokens`: more "token=tenant:role[:subject]" pairs the services accept (another tenant's, say). */
/** `reference`: more settings for the reference service (an unreachable OTT API, say). */
export async function startPlatform(label: string, opts: { extraTokens?: string; reference?: Record<string, string> } = {}): Promise<Platform> {
  const tenant = `tenant-${label}`;
  const tokens = testTokens(tenant);
  const prefix = uniquePrefix(label);
  const kafka = await createTestTopics(prefix);
  const db = await createTestDatabase(label);
  const common = (service: string) => ({
    DATABASE_URL: db.urlFor(service as never),
    KAFKA_BROKERS: testEnv().brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    API_TOKENS: opts.extraTokens ? `${tokens.spec},${opts.extraTokens}` : tokens.spec,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  const submissionKey = { keyId: `key-${label}`, secret: randomBytes(24).toString('hex') };
  const started: RunningService[] = [];
  try {
    const reference = await startReferenceService(referenceConfig({ ...common('reference'), ...opts.reference }));
    started.push(reference);
    const ingestion = await startIngestionService(
      ingestionConfig({ ...common('ingestion'), MAX_DOCUMENT_BYTES: '1048576', SUBMISSION_KEYS: `${submissionKey.keyId}=${tenant}:${submissionKey.secret}` }),
    );
    started.push(ingestion);
    const validation = await startValidationService(validationConfig({ ...common('validation'), REFERENCE_GRPC_ADDRESS: reference.grpcAddress, SERVICE_TOKEN: tokens.service }));
    started.push(validation);
    const scoring = await startScoringService(scoringConfig(common('scoring')));
    started.push(scoring);
    const alerting = await startAlertingService(alertingConfig(common('alerting')));
    started.push(alerting);
    const services = { reference, ingestion, validation, scoring, alerting };
    return {
      tenant,
      tokens,
      submissionHeaders: (ceId, value) => ({ tenant, ce_id: ceId, ...signSubmission(submissionKey, tenant, ceId, value) }),
      db,
      kafka,
      services,
      async http(service, method, p, body, opts = {}) {
        const res = await fetch(`${services[service].httpUrl}${p}`, {
          method,
          headers: { authorization: `Bearer ${opts.token ?? tokens.analyst}`, ...(body !== undefined ? { 'content-type': opts.contentType ?? 'application/xml' } : {}) },
          body,
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      },
      async stop() {
        for (const s of started.reverse()) await s.stop();
        await db.drop();
        await deleteTestTopics(kafka);
      },
    };
  } catch (e) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
    throw e;
  }
}
