// Must run before any service module loads: spans of all five in-process services go here.
import { startInMemoryTracing } from '@customs/telemetry';
const spans = startInMemoryTracing();

import { credentials } from '@grpc/grpc-js';
import { AlertingServiceClient, AlertStatus, StreamAlertsRequest, type StreamAlertsResponse } from '@customs/contracts';
import { callMetadata } from '@customs/grpc';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, waitFor } from '../src';
import { sample, startPlatform, type Platform } from './harness';

// The walking skeleton: a real HMRC sample declaration goes in over REST and comes out as an
// alert over REST and over a gRPC server stream, through real Kafka, Postgres and gRPC, in one
// OpenTelemetry trace.
describe('walking skeleton: HMRC sample → ingestion → validation → scoring → alerting', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform('skeleton');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('raises a priced, dated alert for TT_FI005b (commodity code not in the UK tariff) and streams it', async () => {
    const upload = await p.http('ingestion', 'POST', '/v1/documents?filename=TT_FI005b.xml', sample('TT_FI005b/TT_FI005b.xml'), { token: p.tokens.integrator });
    expect(upload.status).toBe(201);
    expect(upload.body.status).toBe('accepted');
    const { declarationId } = upload.body.declarations[0];

    // Validation ran the real C08 check against the reference service's nomenclature.
    const findings = await waitFor('findings', async () => {
      const r = await p.http('validation', 'GET', `/v1/declarations/${declarationId}/findings`);
      return r.status === 200 && r.body.findings.length > 0 ? r.body.findings : undefined;
    });
    const c08 = findings.find((f: any) => f.ruleId === 'C08');
    expect(c08).toMatchObject({ severity: 'SEVERITY_HIGH', itemNumber: 1, declarationId });
    expect(c08.explanation).toContain('4016995730 is not in the UK nomenclature');
    expect(c08.deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(c08.referenceVersions)).toContain('nomenclature');

    // Scoring updated the declaration's score.
    // (Scoring scores a declaration on arrival from its history, then again once validation's
    // check is in: wait for the checked one.)
    const score = await waitFor('declaration score', async () => {
      const r = await p.http('scoring', 'GET', `/v1/scores/declaration/${declarationId}`);
      return r.status === 200 && r.body.validationChecked ? r.body : undefined;
    });
    // risk-v3 (declaration risk as v2): one HIGH finding with no money at stake → risk = severity 0.7 × 25 points; the
    // score explains itself factor by factor and names the line and finding behind it.
    expect(score).toMatchObject({ score: 82, risk: 18, findingCount: 1, exposurePence: 0, reclaimPence: 0, modelVersion: 'risk-v3' });
    expect(score.factors.map((f: any) => [f.name, f.value])).toEqual([
      ['money', 0],
      ['severity', 70],
      ['deadline', 0],
      ['confidence', 100],
    ]);
    expect(score.lines).toEqual([{ itemNumber: 1, findingIds: [c08.findingId], ruleIds: ['C08'], exposurePence: 0, reclaimPence: 0 }]);

    // Alerting raised an alert, readable over REST.
    const alert = await waitFor('alert', async () => {
      const r = await p.http('alerting', 'GET', '/v1/alerts');
      return r.body?.alerts?.find((a: any) => a.declarationId === declarationId);
    });
    expect(alert).toMatchObject({ alertRuleId: 'AR-001', status: 'ALERT_STATUS_NEW', severity: 'SEVERITY_HIGH', ruleIds: ['C08'], deadline: c08.deadline });
    expect(alert.alertRuleHash).toMatch(/^[0-9a-f]{64}$/);

    // …and arrives on the gRPC server stream.
    const client = new AlertingServiceClient(p.services.alerting.grpcAddress, credentials.createInsecure());
    const streamed = await new Promise<StreamAlertsResponse>((resolve, reject) => {
      const call = client.streamAlerts(StreamAlertsRequest.fromPartial({ afterCursor: 0 }), callMetadata(p.tokens.analyst));
      call.on('data', (m: StreamAlertsResponse) => {
        if (m.change?.alert?.declarationId === declarationId) {
          resolve(m);
          call.cancel();
        }
      });
      call.on('error', (e: { code?: number }) => (e.code === 1 ? undefined : reject(e)));
    });
    client.close();
    expect(streamed.change!.alert!.status).toBe(AlertStatus.ALERT_STATUS_NEW);
    expect(streamed.change!.alert!.cursor).toBeGreaterThan(0);

    // One trace spans the whole path: HTTP upload → Kafka → validation → gRPC reference lookup →
    // Kafka → scoring and alerting.
    // Alerting correlates the checked declaration (its findings and supersessions in one event).
    await waitFor('alerting span', async () =>
      spans
        .getFinishedSpans()
        .some(
          (s) =>
            s.name === 'validation.declaration.checked.v1 process' &&
            (s as unknown as { attributes: Record<string, unknown> }).attributes['messaging.consumer.group.name']?.toString().endsWith('alerting'),
        ),
    );
    const root = spans.getFinishedSpans().find((s) => s.name.startsWith('HTTP POST /v1/documents'))!;
    const traceId = root.spanContext().traceId;
    const inTrace = spans
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId === traceId)
      .map((s) => s.name);
    expect(inTrace).toEqual(
      expect.arrayContaining(['HTTP POST /v1/documents', 'ingestion.declaration.received.v1 process', '/customs.v1.ReferenceService/LookupCommodities', 'validation.declaration.checked.v1 process']),
    );
    const groups = spans
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId === traceId && s.name === 'validation.declaration.checked.v1 process')
      .map((s) => String((s as unknown as { attributes: Record<string, unknown> }).attributes['messaging.consumer.group.name']));
    expect(groups.some((g) => g.endsWith('alerting'))).toBe(true);
    expect(groups.some((g) => g.endsWith('scoring'))).toBe(true);
  });

  it('rejects malformed uploads precisely, stores them as rejected and publishes nothing', async () => {
    const cases: [string, Buffer, string][] = [
      ['not-xml.txt', Buffer.from('MRN,LRN\n1,2'), 'XML_NOT_WELL_FORMED'],
      ['wrong-ns.xml', Buffer.from('<Declaration xmlns="urn:example:wrong"><FunctionCode>9</FunctionCode></Declaration>'), 'WRONG_NAMESPACE'],
      ['truncated.xml', sample('TT_IM001a/Step1_TT_IM001a.xml').subarray(0, 2000), 'XML_NOT_WELL_FORMED'],
    ];
    for (const [name, body, code] of cases) {
      const r = await p.http('ingestion', 'POST', `/v1/documents?filename=${name}`, body, { token: p.tokens.integrator });
      expect({ name, status: r.status, code: r.body.issues[0].code }).toEqual({ name, status: 422, code });
      expect(r.body.issues[0]).toMatchObject({ severity: 'error', sourceName: name });
      expect(r.body.issues[0].reason.length).toBeGreaterThan(10);
      const batch = await p.http('ingestion', 'GET', `/v1/batches/${r.body.batchId}`);
      expect(batch.body.batch).toMatchObject({ status: 'rejected', declarations_accepted: 0 });
      expect(batch.body.issues[0].code).toBe(code);
    }
    const all = await p.http('ingestion', 'GET', '/v1/batches');
    expect(all.body.batches.filter((b: any) => b.status === 'rejected')).toHaveLength(3);
  });

  it('suppresses a repeat of the same rule on the same declaration into the open alert', async () => {
    // Version 2 changes only the goods description: the wrong commodity code is still there.
    const v2 = Buffer.from(
      sample('TT_FI005b/TT_FI005b.xml')
        .toString('utf8')
        .replace(/<Description>([^<]*)<\/Description>/, '<Description>$1 (re-sent)</Description>'),
    );
    const up = await p.http('ingestion', 'POST', '/v1/documents?filename=TT_FI005b-v2.xml', v2, { token: p.tokens.integrator });
    expect(up.body.declarations[0]).toMatchObject({ version: 2, duplicate: false });
    const alert = await waitFor('suppressed repeat', async () => {
      const r = await p.http('alerting', 'GET', '/v1/alerts');
      return r.body.alerts.find((a: any) => a.declarationId === up.body.declarations[0].declarationId && a.suppressedCount === 1);
    });
    expect(alert.findingIds).toHaveLength(2);
    expect((await p.http('alerting', 'GET', '/v1/alerts')).body.alerts.filter((a: any) => a.alertRuleId === 'AR-001')).toHaveLength(1);
    expect(alert.lastSeen >= alert.firstSeen).toBe(true);
  });

  it('triages an alert through its lifecycle with an append-only history', async () => {
    const alert = (await p.http('alerting', 'GET', '/v1/alerts')).body.alerts[0];
    const refused = await p.http('alerting', 'POST', `/v1/alerts/${alert.alertId}/transition`, JSON.stringify({ to: 'resolved', reason: 'fixed' }), { contentType: 'application/json' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/needs a disposition/);
    const moved = await p.http('alerting', 'POST', `/v1/alerts/${alert.alertId}/transition`, JSON.stringify({ to: 'in_progress', reason: 'asking the broker for the invoice' }), {
      contentType: 'application/json',
    });
    expect(moved.status).toBe(200);
    const resolved = await p.http(
      'alerting',
      'POST',
      `/v1/alerts/${alert.alertId}/transition`,
      JSON.stringify({ to: 'resolved', reason: 'C2001 sent', disposition: 'true_positive_corrected_c2001' }),
      { contentType: 'application/json' },
    );
    expect(resolved.body.alert).toMatchObject({ statusName: 'resolved', disposition: 'true_positive_corrected_c2001' });
    const detail = await p.http('alerting', 'GET', `/v1/alerts/${alert.alertId}`);
    expect(detail.body.history.map((h: any) => `${h.from}->${h.to}`)).toEqual(['unspecified->new', 'new->new', 'new->in_progress', 'in_progress->resolved']);
    expect(detail.body.history[1].reason).toMatch(/^repeat suppressed: finding C08/);
    // The actor is the person behind the token (its subject), not a token fingerprint.
    expect(detail.body.history[2].actor).toBe('analyst@tenant-skeleton');
    expect(detail.body.history.map((h: any) => h.kind)).toEqual(['raised', 'absorbed', 'transition', 'transition']);
    // The history cannot be rewritten, even by the service's own role.
    const { Client } = await import('pg');
    const c = new Client({ connectionString: p.db.urlFor('alerting') });
    await c.connect();
    try {
      await c.query(`select set_config('app.tenant_id', '*', false)`);
      await expect(c.query(`update alerting.alert_history set reason = 'rewritten'`)).rejects.toThrow(/append-only/);
      await expect(c.query(`delete from alerting.alert_history`)).rejects.toThrow(/append-only/);
    } finally {
      await c.end();
    }
  });

  it('ingests the same file once; a corrected resubmission is a new version and supersedes earlier versions’ findings', async () => {
    const original = sample('TT_FI005b/TT_FI005b.xml');
    const again = await p.http('ingestion', 'POST', '/v1/documents?filename=TT_FI005b.xml', original, { token: p.tokens.integrator });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', declarations: [{ version: 1, duplicate: true }] });
    // (version 2 was the re-sent copy of the previous test)
    const { declarationId } = again.body.declarations[0];

    // The broker corrects the commodity code (same LRN): a new version of the same declaration.
    const corrected = Buffer.from(original.toString('utf8').replace(/(<ID>40169957<\/ID>[\s\S]*?<ID>)30(<\/ID>)/, '$190$2'));
    expect(corrected.equals(original)).toBe(false);
    const v2 = await p.http('ingestion', 'POST', '/v1/documents?filename=TT_FI005b-corrected.xml', corrected, { token: p.tokens.integrator });
    expect(v2.status).toBe(201);
    expect(v2.body.declarations[0]).toMatchObject({ declarationId, version: 3, duplicate: false });

    const findings = await waitFor('version 2 checked', async () => {
      const r = await p.http('validation', 'GET', `/v1/declarations/${declarationId}/checks`);
      if (!r.body?.checks?.some((c: any) => c.declaration_version === 3)) return undefined;
      return (await p.http('validation', 'GET', `/v1/declarations/${declarationId}/findings?includeSuperseded=true`)).body.findings;
    });
    const active = (await p.http('validation', 'GET', `/v1/declarations/${declarationId}/findings`)).body.findings;
    expect(active.filter((f: any) => f.ruleId === 'C08')).toEqual([]);
    expect(findings.filter((f: any) => f.ruleId === 'C08').map((f: any) => f.declarationVersion)).toEqual([1, 2]);
    // The declaration's score now reflects only the corrected version's findings (other rules may
    // still fire on it; the C08 penalty is gone).
    const score = await waitFor('score of the corrected version', async () => {
      const r = await p.http('scoring', 'GET', `/v1/scores/declaration/${declarationId}`);
      return r.body?.findingCount === active.length ? r.body : undefined;
    });
    const classification = score.components.find((c: any) => c.dimension === 'classification');
    expect(classification?.findingCount ?? 0).toBe(active.filter((f: any) => f.family === 'classification').length);
  });

  it('accepts a multipart upload of several files, refusing only the oversized one', async () => {
    const form = new FormData();
    form.append('format', 'dms-xml');
    form.append('files', new Blob([sample('TT_IM017a/Step1_TT_IM017a.xml')]), 'TT_IM017a.xml');
    form.append('files', new Blob([Buffer.alloc(1_200_000, 0x41)]), 'huge.xml');
    form.append('files', new Blob([sample('TT_IM031a/TT_IM031a.xml')]), 'TT_IM031a.xml');
    const res = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    const body = (await res.json()) as any;
    expect(res.status).toBe(207);
    expect(body.summary).toEqual({ accepted: 2, partially_accepted: 0, duplicate: 0, rejected: 1 });
    expect(body.files.map((f: any) => [f.filename, f.status])).toEqual([
      ['TT_IM017a.xml', 'accepted'],
      ['huge.xml', 'rejected'],
      ['TT_IM031a.xml', 'accepted'],
    ]);
    expect(body.files[1].issues[0]).toMatchObject({ code: 'TOO_LARGE', sourceName: 'huge.xml' });
    expect(body.files[0].declarations).toHaveLength(1);
  });

  it('records an amendment (COR) against its MRN instead of storing the delta as a declaration', async () => {
    const r = await p.http('ingestion', 'POST', '/v1/documents?filename=TT_IM002b_Amendment.xml', sample('TT_IM002b/TT_IM002b_Amendment.xml'), { token: p.tokens.integrator });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'accepted', declarations: [], changes: [{ kind: 'amendment', mrn: '20GB32VVZI0YMFGVR0', applied: false }] });
    const batch = await p.http('ingestion', 'GET', `/v1/batches/${r.body.batchId}`);
    expect(batch.body.declarations).toEqual([]);
  });

  it('joins HMRC CDS header, item and tax-line reports uploaded together and checks them', async () => {
    const form = new FormData();
    form.append('format', 'cds-report');
    for (const f of ['import-header.csv', 'import-item.csv', 'import-taxline.csv'])
      form.append('files', new Blob([fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports', f))]), f);
    const res = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    const body = (await res.json()) as any;
    expect(res.status).toBe(207);
    expect(body.files).toHaveLength(1);
    expect(body.files[0]).toMatchObject({ filename: 'import-header.csv + import-item.csv + import-taxline.csv', status: 'accepted' });
    expect(body.files[0].declarations.map((d: any) => d.lrn).sort()).toEqual(['PO-4471', 'PO-4472']);
    const id = body.files[0].declarations.find((d: any) => d.lrn === 'PO-4471').declarationId;
    const decl = await p.http('ingestion', 'GET', `/v1/declarations/${id}`);
    expect(decl.body).toMatchObject({ acceptanceDate: '2023-03-14', sourceFormat: 'SOURCE_FORMAT_CDS_REPORT' });
    expect(decl.body.items[1].taxLines[0]).toMatchObject({ taxType: 'A00', payablePence: 13385 });
    const checks = await waitFor('CDS declaration checked', async () => {
      const r = await p.http('validation', 'GET', `/v1/declarations/${id}/checks`);
      return r.status === 200 ? r.body.checks : undefined;
    });
    expect(checks[0].rules_evaluated.length).toBeGreaterThanOrEqual(15);
  });

  it('refuses unauthenticated and wrong-role calls', async () => {
    const anon = await fetch(`${p.services.alerting.httpUrl}/v1/alerts`);
    expect(anon.status).toBe(401);
    const analystUpload = await p.http('ingestion', 'POST', '/v1/documents', sample('TT_IM001a/Step1_TT_IM001a.xml'));
    expect(analystUpload.status).toBe(403);
    const health = await fetch(`${p.services.alerting.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('re-evaluates stored declarations when tariff measures are loaded: a missed EU preference becomes a priced reclaim', async () => {
    // Cherry tomatoes from France, entered at the third-country 8 % (preference 100) with the EU
    // proof on file. Until the code's Online Trade Tariff measures are loaded the EU 0 % rate is
    // not known, so no reclaim can be claimed; loading them (real reference service, admin REST)
    // announces reference.dataset.changed.v1 and validation re-checks the stored declaration.
    const header =
      'Importer EORI,EPU,Entry Number,Acceptance Date,Declarant EORI,Trader Reference,Transport Mode,Customs Value,Invoice Currency,Invoice Total,First DAN\n' +
      'GB553202734852,120,000777T,15/01/2026 09:00:00,GB603202734852,PO-TOM-1,1,10000.00,GBP,10000.00,1108654\n';
    const items =
      'EPU,Entry Number,Item Number,Commodity Code,CPC,Country of Origin,Preferential Country of Origin,Goods Description,Item Price,Invoice Currency,Customs Value,Net Mass,Gross Mass,Preference,Valuation Method,Duty Paid,VAT Paid,All Item Document Codes,All Item Document References\n' +
      '120,000777T,1,0702000007,4000000,FR,,"Cherry tomatoes, fresh",10000.00,GBP,10000.00,2000,2100,100,1,800.00,0.00,"N935,U110","INV-TOM-1,STATEMENT"\n';
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([header]), 'tomatoes-header.csv');
    form.append('files', new Blob([items]), 'tomatoes-items.csv');
    const res = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    const body = (await res.json()) as any;
    expect(body.files[0]).toMatchObject({ status: 'accepted' });
    const id = body.files[0].declarations[0].declarationId;
    const findings = async () => (await p.http('validation', 'GET', `/v1/declarations/${id}/findings`)).body.findings as any[];
    await waitFor('tomatoes checked', async () => (await p.http('validation', 'GET', `/v1/declarations/${id}/checks`)).status === 200);
    expect((await findings()).filter((f) => f.ruleId === 'C21')).toEqual([]);

    const ott = fs.readFileSync(path.join(REPO_ROOT, 'services/reference/data/samples/ott_api_commodity_0702000007_cherry_tomatoes.json'));
    const load = await p.http('reference', 'POST', '/v1/admin/ott-loads?source=ott_api_commodity_0702000007_cherry_tomatoes.json', ott, {
      token: p.tokens.service,
      contentType: 'application/octet-stream',
    });
    expect(load.status).toBeLessThan(300);
    const c21 = await waitFor('the reclaim raised by re-evaluation', async () => (await findings()).find((f) => f.ruleId === 'C21'), { timeoutMs: 60000 });
    // 8 % of £10,000 charged against the EU preferential 0 %: £800 to reclaim, C285 within 3 years.
    expect(c21).toMatchObject({ reclaimDutyPence: 80000, declarationVersion: 1, deadline: '2029-01-15' });
    expect(c21.referenceVersions.tariff).toMatch(/ott-measures=/);
  });
});
