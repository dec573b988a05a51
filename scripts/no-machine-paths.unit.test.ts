// The repository stands alone: no file cites a path on the machine it was written on (an
// absolute checkout path, a home folder) or the research notes outside the repository; docs,
// comments and scripts cite docs/... and repository-relative paths instead.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
// Built from parts so that this file does not match itself.
const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  { pattern: new RegExp(['', 'work', ''].join('/')), why: 'an absolute path of the machine the repository was written on' },
  { pattern: new RegExp(`\\.\\./${'shared'}/`), why: 'a file outside the repository' },
  { pattern: /(^|[\s'"`(])\/(home|Users)\/[a-z]/, why: 'a home folder' },
];
// Third-party data and generated code are quoted as they came.
const EXEMPT = [/^packages\/testing\/fixtures\//, /\/generated\//, /^package-lock\.json$/, /^services\/reference\/data\//, /\.(png|jpg|xlsx|ods|pdf|zip|gz|woff2?)$/];

describe('no machine paths or outside citations', () => {
  it('no tracked file names an absolute machine path or a file outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && !EXEMPT.some((e) => e.test(f)) && fs.existsSync(path.join(ROOT, f)) && fs.statSync(path.join(ROOT, f)).isFile());
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      if (text.includes('\0')) continue;
      text.split('\n').forEach((line, i) => {
        for (const { pattern, why } of FORBIDDEN) if (pattern.test(line)) found.push(`${f}:${i + 1}: ${why}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(found).toEqual([]);
  });
});
