import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AlertChanged, AlertStatus, Severity, Topics } from '@customs/contracts';
import { buildEvent, createKafka, ensureTopics, type KafkaHandle } from '@customs/kafka';
import { testEnv, uniquePrefix } from '@customs/testing';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

/** The shell block docs/kafka.md marks as the kcat one-liner, exactly as documented. */
function documentedOneLiner(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/kafka.md'), 'utf8');
  const m = /<!-- kcat-decode-alert[^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(doc);
  if (!m) throw new Error('docs/kafka.md has no kcat-decode-alert block');
  return m[1]!;
}

// The README's and docs/kafka.md's kcat one-liner, run as written (bash, kcat, buf convert from
// the repository root) against a real topic holding an alert change built as alerting's
// repository builds it (same key, source, subject and id scheme).
describe('kcat + buf convert one-liner of docs/kafka.md (real Kafka, real kcat)', () => {
  const prefix = uniquePrefix('kcat');
  let kafka: KafkaHandle;
  beforeAll(async () => {
    kafka = createKafka({ brokers: testEnv().brokers, clientId: 'test', topicPrefix: prefix });
    await ensureTopics(kafka, [{ name: Topics.alertChanged.name, partitions: 1 }]);
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [kafka.physical(Topics.alertChanged.name)] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('the README shows the same one-liner', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(documentedOneLiner());
  });

  it('prints the latest alert change decoded to JSON', async () => {
    const value = AlertChanged.fromPartial({
      alert: {
        alertId: 'a-kcat-1',
        tenantId: 'tenant-kcat',
        alertRuleId: 'AR-001',
        title: 'Material compliance finding on a declaration: C07 Preference claimed without proof of origin',
        severity: Severity.SEVERITY_HIGH,
        status: AlertStatus.ALERT_STATUS_NEW,
        exposurePence: 1234567,
        mrn: '24GB0000000000001A',
        ruleIds: ['C07'],
      },
      change: { kind: 'raised', toStatus: AlertStatus.ALERT_STATUS_NEW, actor: 'alerting', at: '2026-12-03T09:00:00.000Z', notify: true },
    });
    const older = buildEvent({
      topic: Topics.alertChanged,
      key: 'tenant-kcat/a-kcat-0',
      value: AlertChanged.fromPartial({ alert: { alertId: 'a-kcat-0' } }),
      tenant: 'tenant-kcat',
      source: 'alerting',
      id: 'alert-change/tenant-kcat/1',
    });
    const latest = buildEvent({ topic: Topics.alertChanged, key: 'tenant-kcat/a-kcat-1', value, tenant: 'tenant-kcat', source: 'alerting', subject: 'a-kcat-1', id: 'alert-change/tenant-kcat/2' });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: kafka.physical(Topics.alertChanged.name), messages: [older, latest].map((e) => ({ key: e.key, value: Buffer.from(e.payload), headers: e.headers })) });
    await producer.disconnect();

    const { stdout } = await run('bash', ['-o', 'pipefail', '-c', documentedOneLiner()], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: testEnv().brokers[0], KAFKA_TOPIC_PREFIX: prefix },
      timeout: 60000,
    });
    expect(JSON.parse(stdout)).toEqual({
      alert: {
        alertId: 'a-kcat-1',
        tenantId: 'tenant-kcat',
        alertRuleId: 'AR-001',
        title: 'Material compliance finding on a declaration: C07 Preference claimed without proof of origin',
        severity: 'SEVERITY_HIGH',
        status: 'ALERT_STATUS_NEW',
        exposurePence: '1234567',
        mrn: '24GB0000000000001A',
        ruleIds: ['C07'],
      },
      change: { kind: 'raised', toStatus: 'ALERT_STATUS_NEW', actor: 'alerting', at: '2026-12-03T09:00:00.000Z', notify: true },
    });
    // And its headers, as the doc's -f '%h' variant prints them.
    const headers = await run('kcat', ['-C', '-b', testEnv().brokers[0]!, '-t', kafka.physical(Topics.alertChanged.name), '-o', '-1', '-c', '1', '-e', '-q', '-f', '%h'], { timeout: 60000 });
    expect(headers.stdout).toContain('content-type=application/protobuf; messageType=customs.v1.AlertChanged');
    expect(headers.stdout).toContain('ce_tenant=tenant-kcat');
    expect(headers.stdout).toMatch(/traceparent=00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]/);
  });
});
