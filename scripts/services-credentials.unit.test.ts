import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TokenAuthenticator } from '@customs/config';

// scripts/services.sh as `make up` runs it (issue 11, defect 12: least privilege): each service
// process gets its own database URL and the digests of the tokens it accepts, never a token and
// never another service's password; only validation (which calls reference) gets SERVICE_TOKEN.
// The services are stand-ins that record their environment, started by the real start_service.
describe('scripts/services.sh gives each service only its own credentials', () => {
  const script = path.join(__dirname, 'services.sh');
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'svc-env-'));
    for (const s of ['ingestion', 'validation', 'reference']) {
      fs.mkdirSync(path.join(root, 'services', s, 'dist'), { recursive: true });
      fs.writeFileSync(path.join(root, 'services', s, 'dist', 'main.js'), `require('fs').writeFileSync(${JSON.stringify(path.join(root, `${s}.env.json`))}, JSON.stringify(process.env));`);
    }
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const envOf = (s: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(root, `${s}.env.json`), 'utf8'));

  it('starts ingestion, validation and reference with their own URL and token digests; the secrets stay in the tokens file', () => {
    // The parent shell has every token and every password exported, as up.sh's does.
    execFileSync(
      'bash',
      ['-c', `set -euo pipefail; REPO_ROOT=${JSON.stringify(root)}; source ${JSON.stringify(script)}; ensure_tokens; for s in ingestion validation reference; do start_service $s; done; wait`],
      {
        env: { PATH: process.env.PATH!, INGESTION_DB_PASSWORD: 'ing-secret', VALIDATION_DB_PASSWORD: 'val-secret', REFERENCE_DB_PASSWORD: 'ref-secret' },
      },
    );
    const tokensFile = fs.readFileSync(path.join(root, '.run/api-tokens'), 'utf8');
    const tokens = tokensFile
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.slice(0, l.indexOf('=')));
    expect(tokens).toHaveLength(3);
    const [analyst, integrator, admin] = tokens as [string, string, string];

    const ing = envOf('ingestion');
    expect(ing.DATABASE_URL).toBe('postgres://ingestion:ing-secret@127.0.0.1:5432/customs');
    expect(envOf('validation').DATABASE_URL).toBe('postgres://validation:val-secret@127.0.0.1:5432/customs');
    expect(envOf('reference').DATABASE_URL).toBe('postgres://reference:ref-secret@127.0.0.1:5432/customs');
    for (const s of ['ingestion', 'validation', 'reference']) {
      const env = envOf(s);
      const all = JSON.stringify(env);
      // No other service's password, no token a service only has to accept.
      for (const other of ['ing-secret', 'val-secret', 'ref-secret'].filter((p) => !env.DATABASE_URL!.includes(p))) expect(all).not.toContain(other);
      for (const t of [analyst, integrator]) expect(all).not.toContain(t);
      expect(Object.keys(env).filter((k) => /_DB_PASSWORD$|^ANALYST_TOKEN$|^INTEGRATOR_TOKEN$|^API_TOKENS$/.test(k))).toEqual([]);
      // The tokens file it reads holds digests only, and they authenticate the real tokens.
      expect(env.API_TOKENS_FILE).toBe(path.join(root, '.run/api-token-digests'));
      const digests = fs.readFileSync(env.API_TOKENS_FILE!, 'utf8');
      for (const t of tokens) expect(digests).not.toContain(t);
      expect(digests).toContain(`sha256:${createHash('sha256').update(admin).digest('hex')}=platform:admin`);
      const auth = TokenAuthenticator.fromConfig({ API_TOKENS: '', API_TOKENS_FILE: env.API_TOKENS_FILE! });
      expect([analyst, integrator, admin].map((t) => auth.authenticate(`Bearer ${t}`)?.role)).toEqual(['analyst', 'integrator', 'admin']);
    }
    // Only validation calls another service, so only it holds a token (and reference's address).
    expect(envOf('validation').SERVICE_TOKEN).toBe(admin);
    expect(envOf('validation').REFERENCE_GRPC_ADDRESS).toBe('127.0.0.1:9082');
    expect(JSON.stringify(envOf('ingestion'))).not.toContain(admin);
    expect(JSON.stringify(envOf('reference'))).not.toContain(admin);
    expect(fs.statSync(path.join(root, '.run/api-token-digests')).mode & 0o077).toBe(0);
  });
});
