import { createHmac } from 'node:crypto';
import { type CloudEvent, HTTP } from 'cloudevents';
import { AlertChanged, AlertStatus, Severity } from '@customs/contracts';
import { cefHeader, cefValue, changeEventId, daysLeft, matchesFilter, parseDeliveryFilter, penceToPounds, toCef, toCloudEvent, toOcsfFinding, toStructuredJson, toSyslogFrame } from './mapping';
import { backoffMs } from '../delivery/history';
import { signWebhook } from '../delivery/webhook';
import { checkHost, checkWebhookUrl, isNonPublicAddress } from '../delivery/targets';

const NOW = new Date('2026-12-02T12:00:00Z');

function change(over: Partial<NonNullable<AlertChanged['alert']>> = {}, ch: Partial<NonNullable<AlertChanged['change']>> = {}): AlertChanged {
  return AlertChanged.fromPartial({
    alert: {
      alertId: 'a1',
      tenantId: 'tenant-x',
      alertRuleId: 'AR-001',
      alertRuleHash: 'f'.repeat(64),
      alertRuleType: 'finding_match',
      title: 'Material finding: C09 duty | rate = wrong\\',
      severity: Severity.SEVERITY_HIGH,
      status: AlertStatus.ALERT_STATUS_NEW,
      findingIds: ['f1', 'f2'],
      exposurePence: 1_050_075,
      exposureDutyPence: 875_062,
      exposureVatPence: 175_013,
      reclaimPence: 0,
      deadline: '2026-12-12',
      createdAt: '2026-12-02T11:00:00.000Z',
      updatedAt: '2026-12-02T11:30:00.000Z',
      firstSeen: '2026-12-02T11:00:00.000Z',
      lastSeen: '2026-12-02T11:30:00.000Z',
      cursor: 42,
      mrn: '24GB000000000001A1',
      declarationId: 'd1',
      ruleIds: ['C09'],
      importerEori: 'GB123456789000',
      declarantId: 'GB987654321000',
      ...over,
    },
    change: {
      actor: 'system',
      fromStatus: AlertStatus.ALERT_STATUS_UNSPECIFIED,
      toStatus: AlertStatus.ALERT_STATUS_NEW,
      reason: 'raised by AR-001\non C09',
      at: '2026-12-02T11:30:00.000Z',
      kind: 'raised',
      notify: true,
      ...ch,
    },
  });
}

describe('money and dates', () => {
  it('writes pence as exact pounds', () => {
    expect(penceToPounds(1_050_075)).toBe('10500.75');
    expect(penceToPounds(5)).toBe('0.05');
    expect(penceToPounds(-120)).toBe('-1.20');
  });
  it('counts whole days to the deadline from the UTC date, negative once passed', () => {
    expect(daysLeft('2026-12-12', NOW)).toBe(10);
    expect(daysLeft('2026-12-02', NOW)).toBe(0);
    expect(daysLeft('2026-11-30', NOW)).toBe(-2);
    expect(daysLeft('', NOW)).toBeUndefined();
  });
});

describe('filters', () => {
  it('parses names, comma lists and pounds into an exact filter', () => {
    const r = parseDeliveryFilter({ minSeverity: 'HIGH', states: 'new,acknowledged', ruleIds: ['AR-001', 'C09'], minPounds: '10000.5' });
    expect(r).toEqual({
      filter: { minSeverity: Severity.SEVERITY_HIGH, states: [AlertStatus.ALERT_STATUS_NEW, AlertStatus.ALERT_STATUS_ACKNOWLEDGED], ruleIds: ['AR-001', 'C09'], minPence: 1_000_050 },
    });
  });
  it('names the field it refuses', () => {
    expect(parseDeliveryFilter({ minSeverity: 'urgent' })).toMatchObject({ problem: { field: 'filters.minSeverity' } });
    expect(parseDeliveryFilter({ states: ['open'] })).toMatchObject({ problem: { field: 'filters.states' } });
    expect(parseDeliveryFilter({ minPounds: -1 })).toMatchObject({ problem: { field: 'filters.minPounds' } });
    expect(parseDeliveryFilter({ minPounds: 1.234 })).toMatchObject({ problem: { field: 'filters.minPounds' } });
    expect(parseDeliveryFilter({ severity: 'high' })).toMatchObject({ problem: { field: 'filters.severity' } });
    expect(parseDeliveryFilter('high')).toMatchObject({ problem: { field: 'filters' } });
  });
  it('matches severity, state, rule (alert rule or finding rule) and money at stake', () => {
    const a = change().alert!;
    expect(matchesFilter({}, a)).toBe(true);
    expect(matchesFilter({ minSeverity: Severity.SEVERITY_CRITICAL }, a)).toBe(false);
    expect(matchesFilter({ minSeverity: Severity.SEVERITY_MEDIUM }, a)).toBe(true);
    expect(matchesFilter({ states: [AlertStatus.ALERT_STATUS_RESOLVED] }, a)).toBe(false);
    expect(matchesFilter({ ruleIds: ['C09'] }, a)).toBe(true);
    expect(matchesFilter({ ruleIds: ['AR-001'] }, a)).toBe(true);
    expect(matchesFilter({ ruleIds: ['C01'] }, a)).toBe(false);
    expect(matchesFilter({ minPence: 1_050_075 }, a)).toBe(true);
    expect(matchesFilter({ minPence: 1_050_076 }, a)).toBe(false);
  });
});

describe('OCSF Detection Finding', () => {
  it('maps a raised alert to class 2004 Create with the customs fields', () => {
    const f = toOcsfFinding(change(), NOW);
    expect(f).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      status: 'New',
      time: Date.parse('2026-12-02T11:30:00.000Z'),
      metadata: { version: '1.3.0', uid: 'alert-change/tenant-x/42', tenant_uid: 'tenant-x', sequence: 42 },
      finding_info: { uid: 'a1', analytic: { uid: 'AR-001', type_id: 1, version: 'f'.repeat(64) } },
    });
    expect(f.resources).toEqual([
      { type: 'declaration', uid: 'd1', name: '24GB000000000001A1' },
      { type: 'importer', uid: 'GB123456789000' },
      { type: 'broker', uid: 'GB987654321000' },
    ]);
    expect(f.customs).toMatchObject({
      exposure: { pence: 1_050_075, gbp: '10500.75', duty_pence: 875_062, duty_gbp: '8750.62', vat_pence: 175_013, vat_gbp: '1750.13' },
      reclaim: { pence: 0, gbp: '0.00' },
      money_at_stake: { pence: 1_050_075, gbp: '10500.75' },
      deadline: '2026-12-12',
      days_left: 10,
      importer: 'GB123456789000',
      broker: 'GB987654321000',
      change: { actor: 'system', kind: 'raised', from: 'unspecified', to: 'new' },
    });
  });
  it('lists only the latest findings of a large correlated alert, with the total', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `f${i}`);
    const f = toOcsfFinding(change({ findingIds: ids }), NOW);
    expect(f.customs).toMatchObject({ finding_count: 500 });
    expect(f.customs.finding_ids).toEqual(ids.slice(-50));
    expect((f.finding_info.related_events as unknown[]).length).toBe(50);
  });
  it('is an Update for a triage move and a Close when resolved; states OCSF lacks are Other', () => {
    expect(toOcsfFinding(change({ status: AlertStatus.ALERT_STATUS_IN_PROGRESS }, { fromStatus: AlertStatus.ALERT_STATUS_NEW }), NOW)).toMatchObject({ activity_id: 2, status_id: 2 });
    expect(toOcsfFinding(change({ status: AlertStatus.ALERT_STATUS_RESOLVED }, { fromStatus: AlertStatus.ALERT_STATUS_IN_PROGRESS }), NOW)).toMatchObject({
      activity_id: 3,
      type_uid: 200403,
      status_id: 4,
    });
    expect(toOcsfFinding(change({ status: AlertStatus.ALERT_STATUS_EXPIRED }, { fromStatus: AlertStatus.ALERT_STATUS_NEW }), NOW)).toMatchObject({ activity_id: 3, status_id: 99, status: 'Expired' });
    expect(toOcsfFinding(change({ status: AlertStatus.ALERT_STATUS_ACKNOWLEDGED }, { fromStatus: AlertStatus.ALERT_STATUS_NEW }), NOW)).toMatchObject({
      activity_id: 2,
      status_id: 99,
      status: 'Acknowledged',
    });
  });
});

describe('CloudEvents envelope', () => {
  it('is a valid CloudEvents 1.0 event (SDK-validated) that round-trips through structured mode', () => {
    const ce = toCloudEvent(change(), NOW);
    expect(ce.validate()).toBe(true);
    const { contentType, body } = toStructuredJson(change(), NOW);
    expect(contentType).toMatch(/^application\/cloudevents\+json/);
    const back = HTTP.toEvent({ headers: { 'content-type': contentType }, body }) as CloudEvent<{ class_uid: number; customs: { days_left: number } }>;
    expect(back).toMatchObject({
      specversion: '1.0',
      id: changeEventId('tenant-x', 42),
      source: '/customs/alerting',
      type: 'customs.alerting.alert.changed.v1',
      subject: 'a1',
      tenantid: 'tenant-x',
      sequence: '0000000000000042',
      datacontenttype: 'application/json',
    });
    expect(back.data).toMatchObject({ class_uid: 2004, customs: { days_left: 10 } });
  });
});

describe('CEF', () => {
  it('escapes | and \\ in headers and \\ = and line breaks in extension values', () => {
    expect(cefHeader('a|b\\c')).toBe('a\\|b\\\\c');
    expect(cefValue('x=1\\2\nz')).toBe('x\\=1\\\\2\\nz');
  });
  it('writes a CEF:0 line with the customs fields', () => {
    const line = toCef(change(), NOW);
    expect(line.startsWith('CEF:0|Customs Monitor|alerting|1.0|AR-001|Material finding: C09 duty \\| rate = wrong\\\\|8|')).toBe(true);
    const ext = line.split('|').slice(7).join('|');
    const fields = Object.fromEntries([...ext.matchAll(/(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)/g)].map((m) => [m[1], m[2]]));
    expect(fields).toMatchObject({
      eventId: '42',
      externalId: 'a1',
      act: 'raised',
      outcome: 'new',
      suser: 'system',
      reason: 'raised by AR-001\\non C09',
      cs1Label: 'tenant',
      cs1: 'tenant-x',
      cs2Label: 'importer',
      cs2: 'GB123456789000',
      cs3Label: 'broker',
      cs3: 'GB987654321000',
      cs4: '24GB000000000001A1',
      cn1Label: 'exposurePence',
      cn1: '1050075',
      cn3Label: 'daysLeft',
      cn3: '10',
      cfp1: '10500.75',
      flexString1: '2026-12-12',
      flexDate1: String(Date.parse('2026-12-12T00:00:00Z')),
      msg: 'Material finding: C09 duty | rate \\= wrong\\\\',
    });
    expect(line).not.toMatch(/[\r\n]/);
  });
  it('leaves out a label whose value is absent', () => {
    const line = toCef(change({ importerEori: '', declarantId: '' }), NOW);
    expect(line).not.toContain('cs2Label');
    expect(line).not.toContain('cs3Label');
  });
  it('frames an RFC 5424 message with octet counting', () => {
    const frame = toSyslogFrame(change(), { facility: 16, hostname: 'host one', now: NOW }).toString('utf8');
    const m = /^(\d+) (.*)$/s.exec(frame)!;
    expect(Number(m[1])).toBe(Buffer.byteLength(m[2]!));
    // local0 (16) × 8 + err (3) for a high alert.
    expect(m[2]).toMatch(/^<131>1 2026-12-02T11:30:00\.000Z hostone customs-alerting - alert - CEF:0\|/);
  });
});

describe('webhook signature, backoff and targets', () => {
  it('signs id.timestamp.body with the secret bytes (Standard Webhooks v1)', () => {
    const secret = `whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`;
    const expected = createHmac('sha256', Buffer.from('k'.repeat(32)))
      .update('msg_1.1700000000.{"a":1}')
      .digest('base64');
    expect(signWebhook(secret, 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
  it('refuses non-http(s) URLs, credentials and private addresses unless allowed', () => {
    expect(checkWebhookUrl('ftp://example.com/x', [])).toMatchObject({ problem: { field: 'url', message: expect.stringContaining('http or https') } });
    expect(checkWebhookUrl('javascript:alert(1)', [])).toMatchObject({ problem: { field: 'url' } });
    expect(checkWebhookUrl('https://u:p@example.com/', [])).toMatchObject({ problem: { field: 'url' } });
    expect(checkWebhookUrl('http://127.0.0.1:9/x', [])).toMatchObject({ problem: { field: 'url', message: expect.stringContaining('DELIVERY_ALLOWED_PRIVATE_HOSTS') } });
    expect(checkWebhookUrl('http://[::1]/x', [])).toMatchObject({ problem: { field: 'url' } });
    expect(checkWebhookUrl('http://localhost/x', [])).toMatchObject({ problem: { field: 'url' } });
    expect(checkWebhookUrl('http://localhost./x', [])).toMatchObject({ problem: { field: 'url' } });
    expect(checkWebhookUrl('http://a.b.localhost/x', [])).toMatchObject({ problem: { field: 'url' } });
    expect(checkWebhookUrl('http://127.0.0.1:9/x', ['127.0.0.1'])).toEqual({ url: 'http://127.0.0.1:9/x' });
    expect(checkWebhookUrl('https://hooks.example.com/customs', [])).toEqual({ url: 'https://hooks.example.com/customs' });
    expect(checkHost('10.1.2.3', [])).toMatchObject({ field: 'host' });
    expect(isNonPublicAddress('::ffff:192.168.1.1')).toBe(true);
    expect(isNonPublicAddress('169.254.169.254')).toBe(true);
    expect(isNonPublicAddress('8.8.8.8')).toBe(false);
  });
});
