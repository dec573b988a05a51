import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { credentials } from '@grpc/grpc-js';
import { Client } from 'pg';
import {
  ComputeDutiesRequest,
  ReferenceServiceClient,
  Topics,
  type ComputeDutiesResponse,
  type DatasetChanged,
  type LookupCodeListsResponse,
  type LookupRatesResponse,
  type LookupSchemesResponse,
} from '@customs/contracts';
import { callUnary } from '@customs/grpc';
import type { KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, xlsxOf, xlsxOfSheetXml, type TestDatabase } from '@customs/testing';
import { EXIT, runCli } from './cli';
import { loadConfig } from './config';
import { startReferenceService } from './service';

const data = path.resolve(__dirname, '../data');
const cherry = fs.readFileSync(path.join(data, 'samples/ott_api_commodity_0702000007_cherry_tomatoes.json'));
const report = path.join(data, 'samples/ott_declarable_commodities_with_duty_measures_fixture.csv');

// The reference service for real: gRPC server, Postgres (its own schema and role), outbox relay
// to Kafka. An operator loads the OTT sample through the admin endpoint; lookups then answer with
// the loaded preferential rate and the new dataset version, and the change is announced.
describe('reference service: OTT load → versioned gRPC lookups → DatasetChanged', () => {
  const tokens = testTokens('tenant-ref');
  let db: TestDatabase;
  let kafka: KafkaHandle;
  let svc: RunningService | undefined;
  let env: Record<string, string>;
  let client: ReferenceServiceClient;

  const start = async () => {
    svc = await startReferenceService(loadConfig(env));
    client?.close();
    client = new ReferenceServiceClient(svc.grpcAddress, credentials.createInsecure());
  };
  const rates = (queries: { commodityCode: string; origin: string; date: string }[]) => callUnary<unknown, LookupRatesResponse>(client, 'lookupRates', { queries }, { token: tokens.analyst });
  const post = (body: Buffer, token: string, source = 'ott_api_commodity_0702000007_cherry_tomatoes.json') =>
    fetch(`${svc!.httpUrl}/v1/admin/ott-loads?source=${source}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    const prefix = uniquePrefix('reference');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('reference');
    env = {
      DATABASE_URL: db.urlFor('reference'),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: tokens.spec,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
      REFERENCE_SYNC_INTERVAL_MS: '200',
    };
    await start();
  });
  afterAll(async () => {
    client?.close();
    await svc?.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  it('before any load: the UKGT baseline only, and it says preferences are not known', async () => {
    const [r] = (await rates([{ commodityCode: '0702000007', origin: 'FR', date: '2021-02-15' }])).results;
    expect(r).toMatchObject({ known: false });
    expect(r!.unknownReason).toMatch(/0702000007 is not in the UK nomenclature/);
  });

  it('refuses the admin load without the admin role, and a broken file with the problem named', async () => {
    expect((await post(cherry, tokens.analyst)).status).toBe(403);
    const broken = await post(
      Buffer.from('{"import_measures":[{"id":1,"measure_type":{"id":"103"},"geographical_area":{"id":"1011"},"effective_start_date":"soon"}],"goods_nomenclature_item_id":"0702000007"}'),
      tokens.service,
      'broken.json',
    );
    expect(broken.status).toBe(422);
    expect((await broken.json()).details.issues).toEqual(['import_measures[0] (measure 1) field effective_start_date/effective_end_date: not an ISO date']);
  });

  it('refuses a hostile .xlsx report by its cap (admin load and CLI), read on a bounded worker, and keeps serving', async () => {
    const xlsx = (body: Buffer, source: string) =>
      fetch(`${svc!.httpUrl}/v1/admin/ott-loads?source=${source}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.service}`, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
        body,
      });
    // A cell reference past the last column: before, a few hundred bytes that held the service's
    // event loop for seconds at 3 GB.
    const freeze = await xlsx(xlsxOfSheetXml('<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZZZZ1"><v>1</v></c></row>'), 'freeze.xlsx');
    expect(freeze.status).toBe(422);
    expect((await freeze.json()).details).toEqual({ source: 'freeze', issues: ['freeze:xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1: data beyond column 16384 (maxColumns)'] });
    // One 1 MB shared string shown by 250 cells: 250 MB of text from 1.6 KB; the text cap of the
    // worker's heap (2048 MB: 134,217,728 characters) refuses it at the 135th cell.
    const amplified = xlsxOfSheetXml(`<row>${'<c t="s"><v>0</v></c>'.repeat(250)}</row>`, [{ name: 'xl/sharedStrings.xml', data: `<sst><si><t>${'x'.repeat(1_000_000)}</t></si></sst>` }]);
    const amp = await xlsx(amplified, 'amplified.xlsx');
    expect(amp.status).toBe(422);
    expect((await amp.json()).details.issues).toEqual([`amplified:xl/worksheets/sheet1.xml: row 1, cell EE1: the first sheet holds more than ${128 << 20} characters of text (maxTextChars)`]);
    // The CLI reads the same way: rows of far cells (a 2.5 KB file that ran the process out of
    // memory) are refused at the cell cap, before they are materialised.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ott-xlsx-'));
    const oom = path.join(dir, 'oom.xlsx');
    fs.writeFileSync(oom, xlsxOfSheetXml('<row><c r="XFD1"><v>1</v></c></row>'.repeat(20_000)));
    const lines: string[] = [];
    try {
      expect(await runCli(['load-ott', oom], { ...env }, (l) => lines.push(l))).toBe(EXIT.someRejected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(lines).toEqual([`${oom}: oom:xl/worksheets/sheet1.xml: row 611, cell XFD1: the first sheet has more than 10000000 cells (maxCells); split the report`]);
    // Nothing was loaded, and the service still answers.
    const [r] = (await rates([{ commodityCode: '0702000007', origin: 'FR', date: '2021-02-15' }])).results;
    expect(r).toMatchObject({ known: false });
  });

  let version = '';
  it('loads the OTT sample via the admin endpoint; LookupRates returns the EU preference with the new version; DatasetChanged goes out', async () => {
    const res = await post(cherry, tokens.service);
    expect(res.status).toBe(201);
    const body = await res.json();
    version = body.version;
    // The bundled recorded OTT responses (data/tariff/ott_recorded_2025) are the version it replaces.
    expect(body).toMatchObject({
      dataset: 'ott-measures',
      previousVersion: expect.stringMatching(/^ott-api-recorded-2025-02-11_to_2025-07-14@/),
      duplicate: false,
      format: 'ott-api-flat',
      measures: 50,
      commodityCodes: 1,
    });
    expect(version).toMatch(/^ott_api_commodity_0702000007_cherry_tomatoes@[0-9a-f]{12}$/);

    const { results } = await rates([
      { commodityCode: '0702000007', origin: 'FR', date: '2021-02-15' },
      { commodityCode: '0702000007', origin: 'SG', date: '2021-02-15' },
      { commodityCode: 'bad', origin: 'FR', date: '2021-02-15' },
    ]);
    expect(results[0]).toMatchObject({ known: true, unknownReason: '', thirdCountry: { measureType: '103', expression: '8.00 %', taxType: 'A00', datasetVersion: version } });
    expect(results[0]!.preferential).toEqual([
      { measureType: '142', geographicalArea: '1013', expression: '0.00 %', taxType: 'A00', additionalCode: '', validFrom: '2021-01-01', validTo: '', datasetVersion: version },
    ]);
    expect(results[0]!.schemes.map((s) => s.id)).toEqual(['eu']);
    expect(results[0]!.datasetVersion).toContain(`ott-measures=${version}`);
    expect(results[1]!.preferential.map((m) => m.expression)).toEqual(['5.80 %']);
    expect(results[2]).toMatchObject({ known: false, unknownReason: 'commodity code "bad" is not 10 digits' });

    // Recorded in the reference schema and announced on reference.dataset.changed.v1.
    const pg = new Client({ connectionString: db.adminUrl });
    await pg.connect();
    try {
      const v = await pg.query(`select dataset, version, effective_from from reference.dataset_versions where version = $1`, [version]);
      expect(v.rows).toEqual([{ dataset: 'ott-measures', version, effective_from: '2019-09-01' }]);
      const m = await pg.query(`select count(*)::int as n from reference.ott_measures where dataset_version = $1`, [version]);
      expect(m.rows[0].n).toBe(50);
    } finally {
      await pg.end();
    }
    const seen: DatasetChanged[] = [];
    const reader = kafka.kafka.consumer({ groupId: `reference-test-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(Topics.datasetChanged.name), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void seen.push(Topics.datasetChanged.codec.decode(message.value!)) });
    try {
      const ev = await waitFor('DatasetChanged for the OTT load', async () => seen.find((e) => e.version === version));
      expect(ev).toMatchObject({ dataset: 'ott-measures', version, previousVersion: body.previousVersion, effectiveFrom: '2019-09-01', effectiveTo: '', commodityCodes: ['0702000007'] });
      // The bundled datasets were announced at start-up too (first versions, no predecessor).
      expect(seen.some((e) => e.dataset === 'ukgt' && e.previousVersion === '')).toBe(true);
    } finally {
      await reader.disconnect();
    }
  });

  it('loading the same file again is idempotent (same version, no new event)', async () => {
    const again = await post(cherry, tokens.service);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, version });
  });

  it('answers code lists and schemes over gRPC, batched', async () => {
    const cl = await callUnary<unknown, LookupCodeListsResponse>(
      client,
      'lookupCodeLists',
      {
        queries: [
          { list: 'cpc-apc', code: '4200000/F15', date: '2023-01-01' },
          { list: 'document', code: 'N954/AE', date: '2023-01-01' },
          { list: 'currency', code: 'XXX', date: '2023-01-01' },
        ],
      },
      { token: tokens.analyst },
    );
    expect(cl.results.map((r) => [r.known, r.member])).toEqual([
      [true, true],
      [true, true],
      [true, false],
    ]);
    expect(cl.results[0]!.datasetVersion).toMatch(/^cpc-combos@/);
    const sc = await callUnary<unknown, LookupSchemesResponse>(client, 'lookupSchemes', { queries: [{ country: 'BD', date: '2023-06-19' }] }, { token: tokens.analyst });
    expect(sc.results[0]!.schemes.map((s) => s.id)).toEqual(['dcts-ldcs']);
  });

  it('computes duties for a batch of lines from the looked-up rate (ComputeDuties)', async () => {
    const [rate] = (await rates([{ commodityCode: '0702000007', origin: 'US', date: '2021-02-15' }])).results;
    const tc = rate!.thirdCountry!;
    // fromPartial fills the map fields the wire encoder needs.
    const res = await callUnary<unknown, ComputeDutiesResponse>(
      client,
      'computeDuties',
      ComputeDutiesRequest.fromPartial({
        lines: [
          {
            acceptanceDate: '2021-02-15',
            customsValue: { value: { $case: 'pence', pence: 10_000_000 } },
            measures: [{ measureType: tc.measureType, taxType: tc.taxType, expression: tc.expression, source: tc.datasetVersion }],
            vatRatePercent: '20',
          },
        ],
      }),
      { token: tokens.analyst },
    );
    expect(res.results[0]).toMatchObject({ status: 'computed', dutyPence: 800_000, vatPence: 2_160_000 });
    expect(res.results[0]!.taxLines[0]).toMatchObject({ taxType: 'A00', amountPence: 800_000, source: version });
  });

  it('ComputeDuties takes the procedure, VAT code and quota inputs: assessed-not-payable, zero-rated and split lines over gRPC', async () => {
    const a00 = { measureType: '103', taxType: 'A00', expression: '8.00 %', source: 'ott 103' };
    const base = { acceptanceDate: '2025-07-14', customsValue: { value: { $case: 'pence' as const, pence: 10_000_000 } }, measures: [a00] };
    const res = await callUnary<unknown, ComputeDutiesResponse>(
      client,
      'computeDuties',
      ComputeDutiesRequest.fromPartial({
        lines: [
          // Inward processing (CPC 5100): CDS assesses duty and VAT and charges neither.
          { ...base, procedure: { cpc: '5100', apcs: ['000'] }, vatRatePercent: '20' },
          // Zero-rated goods: the declared VATZ code settles the rate (no assumed 20 %).
          { ...base, vat: { declaredAdditionalCodes: ['VATZ'], measuresLoaded: false } },
          // APC 1RV: VAT relieved, duty payable; the tariff's VAT measures loaded.
          { ...base, procedure: { cpc: '4000', apcs: ['1RV'] }, vat: { measuresLoaded: true, measures: [{ expression: '20.00 %', additionalCode: '', source: 'ott 305' }] } },
          // Duty secured by method of payment R.
          { ...base, measures: [{ ...a00, methodOfPayment: 'R' }], vatRatePercent: '20' },
          // Nothing settles the VAT rate: unknown, not 20 %.
          { ...base, vat: { measuresLoaded: false } },
          // A quota covering 600 of the item's 1000 kg: two duty lines.
          {
            ...base,
            quantities: { netMassKg: '1000' },
            vatRatePercent: '20',
            quota: { orderNumber: '050671', measure: { measureType: '143', taxType: 'A00', expression: '0.00 %', source: 'ott 143' }, allocatedQuantity: '600', declaredQuantity: '1000', unit: 'kg' },
          },
        ],
      }),
      { token: tokens.analyst },
    );
    const [ip, zero, rv, secured, vatUnknown, quota] = res.results;
    expect(ip).toMatchObject({ status: 'computed', dutyPence: 800_000, vatPence: 2_160_000, payableDutyPence: 0, payableVatPence: 0 });
    expect(ip!.taxLines.map((t) => [t.taxType, t.liability, t.payablePence])).toEqual([
      ['A00', 'suspended', 0],
      ['B00', 'suspended', 0],
    ]);
    expect(ip!.taxLines[0]!.liabilityReason).toMatch(/inward processing/);
    expect(zero).toMatchObject({ status: 'computed', vatPence: 0, payableVatPence: 0 });
    expect(zero!.taxLines[1]).toMatchObject({ taxType: 'B00', vatCategory: 'zero', amountPence: 0, liability: 'payable' });
    expect(rv).toMatchObject({ payableDutyPence: 800_000, payableVatPence: 0 });
    expect(rv!.taxLines.map((t) => [t.taxType, t.liability])).toEqual([
      ['A00', 'payable'],
      ['B00', 'relieved'],
    ]);
    expect(secured!.taxLines[0]).toMatchObject({ taxType: 'A00', liability: 'secured', payablePence: 0, amountPence: 800_000 });
    expect(vatUnknown!.payableVatPence).toBeUndefined();
    expect(vatUnknown!.taxLines.find((t) => t.taxType === 'B00')).toMatchObject({ status: 'unknown' });
    expect(quota!.taxLines.filter((t) => t.taxType === 'A00').map((t) => [t.measureType, t.basePence, t.amountPence, t.quota?.portion])).toEqual([
      ['143', 6_000_000, 0, 'inQuota'],
      ['103', 4_000_000, 320_000, 'outOfQuota'],
    ]);
    expect(quota).toMatchObject({ dutyPence: 320_000, payableDutyPence: 320_000 });
  });

  it('the CLI loads the daily report into the database; the running service picks it up', async () => {
    const lines: string[] = [];
    expect(await runCli(['load-ott', report], { ...env }, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(
      /loaded as ott_declarable_commodities_with_duty_measures_fixture@[0-9a-f]{12} \(ott-declarable-duties, 8 measures, 2 commodity codes, 0 groups; previous ott_api_commodity_0702000007_cherry_tomatoes@/,
    );
    const cliVersion = /loaded as (\S+)/.exec(lines[0]!)![1]!;
    const r = await waitFor('CLI load served', async () => {
      const [x] = (await rates([{ commodityCode: '7318158100', origin: 'CN', date: '2023-05-01' }])).results;
      return x!.tradeRemedies.length ? x : undefined;
    });
    expect(r.tradeRemedies.map((m) => `${m.measureType} ${m.additionalCode} ${m.expression} ${m.datasetVersion}`).sort()).toEqual([
      `552 C001 0.00% ${cliVersion}`,
      `552 C999 85.00% ${cliVersion}`,
      `695  25.00% ${cliVersion}`,
    ]);
  });

  it('prices a 2026 EUR acceptance date with that month’s bundled HMRC rate over gRPC LookupFx, and exports FX staleness', async () => {
    const fx = await callUnary<unknown, { results: { known: boolean; unitsPerGbp: string; period: string; datasetVersion: string; unknownReason: string }[] }>(
      client,
      'lookupFx',
      {
        queries: [
          { currency: 'EUR', date: '2026-03-15' },
          { currency: 'EUR', date: '2026-10-01' },
          { currency: 'USD', date: '2025-07-14' },
        ],
      },
      { token: tokens.analyst },
    );
    expect(fx.results.map((r) => `${r.known} ${r.unitsPerGbp} ${r.period}`)).toEqual(['true 1.1469 2026-03', 'true 1.1665 2026-10', 'true 1.3451 2025-07']);
    expect(fx.results[0]!.datasetVersion).toMatch(/^hmrc-monthly-fx-2014-02_to_2026-10@[0-9a-f]{12}$/);
    const metrics = await (await fetch(`${svc!.httpUrl}/metrics`)).text();
    // The gauge follows the calendar: 0 while the current month is loaded, the months missing otherwise.
    const behind = Number(/customs_reference_fx_months_behind\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    const now = new Date();
    expect(behind).toBe(Math.max(0, now.getUTCFullYear() * 12 + now.getUTCMonth() - (2026 * 12 + 9)));
  });

  it('loads HMRC exchange rates after the bundled months (XML via admin, CSV via CLI); LookupFx answers with the load version', async () => {
    // Nov 2026 is after the bundled months (2014-02 … 2026-10): unknown until HMRC's file is loaded.
    const xml = `<?xml version="1.0"?>\n<exchangeRateMonthList Period="01/Nov/2026 to 30/Nov/2026"><exchangeRate><countryName>Eurozone</countryName><countryCode>EU</countryCode><currencyName>Euro</currencyName><currencyCode>EUR</currencyCode><rateNew>1.1667</rateNew></exchangeRate></exchangeRateMonthList>`;
    const before = await callUnary<unknown, { results: { known: boolean; unknownReason: string }[] }>(
      client,
      'lookupFx',
      { queries: [{ currency: 'EUR', date: '2026-11-12' }] },
      { token: tokens.analyst },
    );
    expect(before.results[0]).toMatchObject({ known: false, unknownReason: expect.stringContaining('HMRC rates for 2026-11 are not loaded (latest month loaded: 2026-10)') });
    const res = await fetch(`${svc!.httpUrl}/v1/admin/fx-loads?source=exrates-monthly-1126.xml`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.service}`, 'content-type': 'application/xml' },
      body: xml,
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ dataset: 'fx', format: 'hmrc-xml', rates: 1, effectiveFrom: '2026-11-01', effectiveTo: '2026-11-30' });
    const after = await callUnary<unknown, { results: { known: boolean; unitsPerGbp: string; datasetVersion: string }[] }>(
      client,
      'lookupFx',
      { queries: [{ currency: 'EUR', date: '2026-11-12' }] },
      { token: tokens.analyst },
    );
    expect(after.results[0]).toMatchObject({ known: true, unitsPerGbp: '1.1667', datasetVersion: body.version });
    // The stale-FX gauge (alert CustomsReferenceFxStale) follows the load: one month fewer behind.
    const behind = Number(/customs_reference_fx_months_behind\{[^}]*\} (\d+)/.exec(await (await fetch(`${svc!.httpUrl}/metrics`)).text())?.[1]);
    const now = new Date();
    expect(behind).toBe(Math.max(0, now.getUTCFullYear() * 12 + now.getUTCMonth() - (2026 * 12 + 10)));
    const refused = await fetch(`${svc!.httpUrl}/v1/admin/fx-loads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.service}` },
      body: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><exchangeRateMonthList/>',
    });
    expect(refused.status).toBe(422);
    const lines: string[] = [];
    expect(await runCli(['load-fx', path.join(data, 'exchange_rates/hmrc_monthly_original/exrates-monthly-0623.csv')], { ...env }, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/loaded as exrates-monthly-0623@[0-9a-f]{12} \(hmrc-csv, \d+ rates 2023-06-01\.\.2023-06-30/);
  });

  it('loaded measures survive a restart', async () => {
    await svc!.stop();
    await start();
    const [r] = (await rates([{ commodityCode: '0702000007', origin: 'DE', date: '2021-02-15' }])).results;
    expect(r!.preferential.map((m) => `${m.geographicalArea} ${m.expression}`)).toEqual(['1013 0.00%']);
    // The later report load updated the shared SIDs (8.00% without a space), membership of 1013 came from the first load.
    expect(r!.thirdCountry).toMatchObject({ expression: '8.00%' });
    const fx = await callUnary<unknown, { results: { unitsPerGbp: string; datasetVersion: string }[] }>(
      client,
      'lookupFx',
      {
        queries: [
          { currency: 'EUR', date: '2026-11-12' },
          { currency: 'EUR', date: '2023-06-12' },
        ],
      },
      { token: tokens.analyst },
    );
    expect(fx.results.map((x) => x.unitsPerGbp)).toEqual(['1.1667', '1.1489']);
    expect(fx.results[1]!.datasetVersion).toMatch(/^exrates-monthly-0623@/);
  });

  it('serves the REST equivalents', async () => {
    const get = async (p: string) => (await fetch(`${svc!.httpUrl}${p}`, { headers: { authorization: `Bearer ${tokens.analyst}` } })).json();
    expect((await get('/v1/rates/0702000007?origin=FR&date=2021-02-15')).preferential[0].expression).toBe('0.00%');
    expect(await get('/v1/code-lists/cpc-apc/4200/F15?date=2023-01-01')).toMatchObject({ known: true, member: true });
    expect((await get('/v1/schemes/JP?date=2023-01-01')).schemes[0].id).toBe('japan');
    const ds = (await get('/v1/datasets')).datasets.filter((d: any) => d.dataset === 'ott-measures');
    expect(ds.map((d: any) => [d.source, d.current])).toEqual([
      ['ott-api-recorded-2025-02-11_to_2025-07-14', false],
      ['ott_api_commodity_0702000007_cherry_tomatoes', false],
      ['ott_declarable_commodities_with_duty_measures_fixture', true],
    ]);
  });

  it('loads the daily report as published (.xlsx) through the admin endpoint, its sheet read on a bounded worker', async () => {
    const table = parse(fs.readFileSync(report), { relax_column_count: true }) as string[][];
    const res = await fetch(`${svc!.httpUrl}/v1/admin/ott-loads?source=declarable_duties.xlsx`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.service}`, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      body: xlsxOf(table),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ format: 'ott-declarable-duties', measures: 8, commodityCodes: 2 });
  });
});
