import { DOCUMENT_FORMATS } from './app/formats';
import { EXIT, FORMATS, USAGE, runCli } from './cli';

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('customs-submit command line', () => {
  it('--help prints the usage with the exit codes and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, out: USAGE, err: '' });
    }
    expect(USAGE).toContain('64  bad command line');
  });

  it('--version prints the package version and exits 0', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(`customs-submit ${(require('../package.json') as { version: string }).version}`);
  });

  it.each([
    [['--bogus', 'x'], "Unknown option '--bogus'"],
    [[], 'a file or folder to send is required'],
    [['a', 'b', '--token', 't'], 'one file or folder, got 2'],
    [['x'], 'no API token: pass --token or set CUSTOMS_TOKEN'],
    [['x', '--token', 't', '--format', 'pdf'], '--format must be one of dms-xml, cds-report, chief-mss, erp-json, erp-csv, ddes-csv, got "pdf"'],
    [['x', '--token', 't', '--concurrency', 'many'], '--concurrency must be a whole number from 1 to 64, got "many"'],
    [['x', '--token', 't', '--exclude', '('], '--exclude is not a regular expression'],
    [['x', '--token', 't', '--url', 'ftp://h'], '--url must be an http(s) URL, got "ftp://h"'],
    [['x', '--url'], "Option '--url <value>' argument missing"],
  ])('%j is a usage error (64) saying what is wrong', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(message);
    expect(r.err).toContain('usage: customs-submit');
    expect(r.out).toBe('');
  });

  it('takes the token and URL from the environment', async () => {
    const r = await run(['/nonexistent/path'], { CUSTOMS_TOKEN: 't', CUSTOMS_INGESTION_URL: 'http://127.0.0.1:1' });
    expect(r.code).toBe(EXIT.error);
    expect(r.err).toContain('ENOENT');
  });

  it('offers exactly the formats the service accepts', () => {
    expect([...FORMATS]).toEqual([...DOCUMENT_FORMATS]);
  });
});
