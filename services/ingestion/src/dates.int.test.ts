import { waitFor, xlsxOf } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// Impossible dates in HMRC CDS reports, through the real ingestion service (REST → parser →
// Postgres → outbox → Kafka): each is an issue naming file, row and field, the entry carrying it is
// never stored or published (validation would dead-letter it), and the good entries go in.
describe('impossible dates in CDS reports are refused at ingestion, row and field named', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('dates');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const COLUMNS = 'MRN,Item Number,Commodity Code,CPC,Country of Origin,Goods Description,Item Price,Invoice Currency,Customs Value,Net Mass,Gross Mass,Duty Paid,VAT Paid,Acceptance Date';
  const row = (mrn: string, date: string) => `${mrn},1,8510900000,4000000,CN,Shaver parts,100.00,GBP,100.00,1.5,2.0,2.00,20.40,${date}`;
  const report = (prefix: string) =>
    [
      COLUMNS,
      row(`26GB${prefix}00000011`, '30/02/2023'),
      row(`26GB${prefix}00000021`, '45/13/2999'),
      row(`26GB${prefix}00000031`, '00/00/0000'),
      row(`26GB${prefix}00000041`, '14/03/2023 10:15:00'),
    ].join('\n') + '\n';
  const dateErrors = (issues: any[]) => issues.filter((i) => i.severity === 'error').map((i) => [i.sourceName, i.line, i.location, i.field, i.code, i.reason.replace(/;.*/, '')]);
  const expected = (sourceName: string, prefix: string) => [
    [sourceName, 2, 'row 2', 'Acceptance Date', 'INVALID_VALUE', `entry 26GB${prefix}00000011 rejected: row 2: Acceptance Date "30/02/2023" is not a real calendar date: February 2023 has 28 days`],
    [sourceName, 3, 'row 3', 'Acceptance Date', 'INVALID_VALUE', `entry 26GB${prefix}00000021 rejected: row 3: Acceptance Date "45/13/2999" is not a real calendar date: there is no month 13`],
    [sourceName, 4, 'row 4', 'Acceptance Date', 'INVALID_VALUE', `entry 26GB${prefix}00000031 rejected: row 4: Acceptance Date "00/00/0000" is not a real calendar date: there is no month 00`],
  ];
  const stored = async (prefix: string) =>
    await h.query<{ mrn: string; acceptance_date: string }>(`select mrn, acceptance_date from ingestion.declarations where mrn like $1 order by mrn`, [`26GB${prefix}%`]);

  it('a streamed CSV body: partially accepted, three row issues naming row and Acceptance Date, only the good entry stored and published', async () => {
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=dates.csv', report('DATE01'), { contentType: 'text/csv' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'partially_accepted', rows: 4, declarationsStored: 1 });
    expect(dateErrors(r.body.issues)).toEqual(expected('dates.csv', 'DATE01'));
    expect(r.body.issues[0].reason).toContain('the acceptance date dates the tariff, the exchange rate and the 3-year deadline, so the entry is not stored');

    // Kept with the batch, as every issue is.
    const batch = await h.http('GET', `/v1/batches/${r.body.batchId}`, undefined, { token: h.tokens.analyst });
    expect(batch.body.batch).toMatchObject({ status: 'partially_accepted', declarations_accepted: 1 });
    expect(batch.body.issues.filter((i: any) => i.severity === 'error').map((i: any) => [i.line, i.field])).toEqual([
      [2, 'Acceptance Date'],
      [3, 'Acceptance Date'],
      [4, 'Acceptance Date'],
    ]);

    expect(await stored('DATE01')).toEqual([{ mrn: '26GBDATE0100000041', acceptance_date: '2023-03-14' }]);
    const published = await waitFor('the good entry on the topic', async () => h.received.find((e) => e.value.declaration?.mrn === '26GBDATE0100000041'));
    expect(published.value.declaration!.acceptanceDate).toBe('2023-03-14');
  });

  it('an .xlsx of text cells in a multipart upload: the same row issues, the same single declaration', async () => {
    const table = report('DATE02')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([new Uint8Array(xlsxOf(table))]), 'dates.xlsx');
    const up = await h.http('POST', '/v1/uploads', form);
    expect(up.status).toBe(207); // multi-status: the file is partially accepted
    expect(up.body.files[0]).toMatchObject({ filename: 'dates.xlsx', status: 'partially_accepted' });
    expect(dateErrors(up.body.files[0].issues)).toEqual(expected('dates.xlsx', 'DATE02'));
    expect(await stored('DATE02')).toEqual([{ mrn: '26GBDATE0200000041', acceptance_date: '2023-03-14' }]);
  });
});
