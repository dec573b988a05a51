import { EXIT, USAGE, runCli } from './cli';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // No database is reachable here: every case below must be decided before one is needed.
  const code = await runCli(
    argv,
    { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('reference-cli command line', () => {
  it('--help prints commands, options and exit codes, and exits 0', async () => {
    for (const flag of ['--help', '-h']) expect(await run([flag])).toEqual({ code: EXIT.ok, out: USAGE, err: '' });
    for (const text of ['load-ott <file>', 'load-fx <file>', 'sync-ott [options]', '--until YYYY-MM-DD', '2   some files rejected', '64  bad command line']) expect(USAGE).toContain(text);
  });

  it('--version prints the package version and exits 0', async () => {
    expect(await run(['--version'])).toEqual({ code: EXIT.ok, out: `reference-cli ${(require('../package.json') as { version: string }).version}`, err: '' });
  });

  it.each([
    [[], 'a command is required'],
    [['load'], 'unknown command "load"'],
    [['load-ott'], 'load-ott needs at least one file'],
    [['load-fx', 'a.csv', '--full'], '--full is an option of sync-ott, not load-fx'],
    [['sync-ott', 'extra'], 'sync-ott takes no arguments, got "extra"'],
    [['sync-ott', '--until', '17/07/2025'], '--until must be a day as YYYY-MM-DD, got "17/07/2025"'],
    [['sync-ott', '--since', '2025-01-01'], "Unknown option '--since'"],
    [['sync-ott', '--commodities'], "Option '--commodities <value>' argument missing"],
  ])('%j is a usage error (64) saying what is wrong', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(`reference-cli: ${message}`);
    expect(r.err).toContain('usage: reference-cli');
  });
});
