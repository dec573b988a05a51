// scripts/generate-dataset.js's command line (node:util parseArgs): --help exits 0, a bad option
// or value exits 64 naming it, and a valid run writes the dataset (packages/datagen's dist).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const run = (args: string[]) => spawnSync(process.execPath, [path.join(__dirname, 'generate-dataset.js'), ...args], { encoding: 'utf8', timeout: 60000 });

describe('generate-dataset command line', () => {
  it('--help prints the options and exit codes, exit 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--rate-CNN R');
    expect(r.stdout).toContain('exit codes: 0 written, 1 failed, 64 bad command line');
  });

  it.each([
    [['--seed', '1', '--declarations', '5', '--format', 'pdf', '--out', 'x'], '--format must be dms, cds or json, got "pdf"'],
    [['--declarations', '5', '--format', 'json', '--out', 'x'], '--seed is required'],
    [['--seed', 'one', '--declarations', '5', '--format', 'json', '--out', 'x'], '--seed must be a whole number, got "one"'],
    [['--seed', '1', '--declarations', '5', '--format', 'json', '--out', 'x', '--rate-C16', '2'], '--rate-C16 needs a share from 0 to 1, got "2"'],
    [['--seed', '1', '--bogus'], "Unknown option '--bogus'"],
  ])('%j exits 64 saying what is wrong', (args, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(`generate-dataset: ${message}`);
  });

  it('writes a small dataset and its summary', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dataset-'));
    try {
      const r = run(['--seed', '7', '--declarations', '4', '--format', 'json', '--out', out, '--rate-C16', '1', '--rules', 'C16']);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ seed: 7, declarations: 4, format: 'json' });
      expect(fs.readFileSync(path.join(out, 'declarations.ndjson'), 'utf8').trim().split('\n')).toHaveLength(4);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
