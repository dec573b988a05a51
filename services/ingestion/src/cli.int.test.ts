import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HMRC_SAMPLES } from '@customs/testing';
import { type IngestionHarness, startIngestion } from './__fixtures__/harness';
import { EXIT, runCli } from './cli';

// customs-submit against a real ingestion service (Kafka, Postgres): a folder of accepted
// declarations exits 0; one rejected document among them exits 2 and names the file and reason.
describe('customs-submit exit codes (real ingestion)', () => {
  let h: IngestionHarness;
  let dir: string;
  beforeAll(async () => {
    h = await startIngestion('cli');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-submit-'));
    fs.copyFileSync(path.join(HMRC_SAMPLES, 'TT_FI001a/TT_FI001a.xml'), path.join(dir, 'a-good.xml'));
  });
  afterAll(async () => {
    await h?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const submit = async () => {
    const out: string[] = [];
    const code = await runCli(
      [dir, '--url', h.svc.httpUrl, '--token', h.tokens.integrator, '--quiet'],
      {},
      (l) => out.push(l),
      (l) => out.push(l),
    );
    return { code, out: out.join('\n') };
  };

  it('exits 0 when every file is accepted, and 0 again when they are already ingested', async () => {
    expect(await submit()).toMatchObject({ code: EXIT.ok, out: expect.stringContaining('1 file(s): 1 accepted') });
    expect(await submit()).toMatchObject({ code: EXIT.ok, out: expect.stringContaining('1 already ingested') });
  });

  it('exits 2 when a document is rejected, naming it and why', async () => {
    fs.writeFileSync(path.join(dir, 'b-bad.xml'), '<?xml version="1.0"?><NotADeclaration/>');
    const r = await submit();
    expect(r.code).toBe(EXIT.someRejected);
    expect(r.out).toContain('1 rejected');
    expect(r.out).toMatch(/rejected .*b-bad\.xml: \S/);
  });
});
