// The scripts with user-facing options share one command-line behaviour (scripts/lib/command-line.js,
// node:util parseArgs): --help prints the usage and exits 0, an unknown option exits 64 naming it,
// before the script does anything else. (customs-submit and reference-cli: their own tests.)
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPTS = [
  'watch-alerts.js',
  'load-history.js',
  'live-quality.js',
  'reconcile-hmrc.js',
  'hmrc-findings.js',
  'recompute-hmrc-taxes.js',
  'generate-dataset.js',
  'gen-deploy.js',
  'validate-k8s.mjs',
];
const run = (script: string, args: string[]) => spawnSync(process.execPath, [path.join(__dirname, script), ...args], { encoding: 'utf8', timeout: 30000, env: { PATH: process.env.PATH ?? '' } });

describe('script command lines', () => {
  it.each(SCRIPTS.map((s) => [s]))('%s --help: usage on stdout, exit 0', (script) => {
    const r = run(script, ['--help']);
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: node scripts\//);
    expect(r.stdout).toMatch(/exit codes?:.*64/s);
  });

  it.each(SCRIPTS.map((s) => [s]))('%s --no-such-option: named, exit 64', (script) => {
    const r = run(script, ['--no-such-option']);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/no-such-option/);
    expect(r.stdout).toBe('');
  });
});
