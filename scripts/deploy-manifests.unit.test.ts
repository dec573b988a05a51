// The deployment (ADR 0012): deploy/kubernetes/<environment>/ is what scripts/gen-deploy.js renders
// from its values now, every manifest passes the Kubernetes schemas and the platform's workload
// rules (scripts/validate-k8s.mjs, run as a separate Node process: kubernetes-models is ES-module
// only), the Strimzi topics are infra/kafka/topics.json's, and the image is built reproducibly
// with the kafkajs patch.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
const { environments } = require('./gen-deploy') as { environments(): string[] };

function docsOf(env: string, file: string): Record<string, any>[] {
  return parseAllDocuments(fs.readFileSync(path.join(ROOT, 'deploy/kubernetes', env, file), 'utf8')).map((d) => d.toJS() as Record<string, any>);
}

describe('deploy/kubernetes', () => {
  it('is the current render of deploy/kubernetes/values.json (node scripts/gen-deploy.js)', () => {
    const r = node(['scripts/gen-deploy.js', '--check']);
    expect({ code: r.status, stale: r.stderr }).toEqual({ code: 0, stale: '' });
    expect(environments()).toEqual(['staging', 'production']);
  });

  it('every rendered manifest is valid against the Kubernetes schemas and the workload rules', () => {
    const r = node(['scripts/validate-k8s.mjs']);
    expect({ code: r.status, problems: r.stderr }).toEqual({ code: 0, problems: '' });
    const summary = JSON.parse(r.stdout) as { valid: boolean; documents: number; counts: Record<string, number> };
    expect(summary.valid).toBe(true);
    // Per environment: six services and the console, one migrations Job, an HPA per service.
    expect(summary.counts).toMatchObject({ 'apps/v1/Deployment': 14, 'batch/v1/Job': 2, 'autoscaling/v2/HorizontalPodAutoscaler': 12, 'policy/v1/PodDisruptionBudget': 14 });
  });

  it('the validator refuses a bad manifest, naming the resource and the problem', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-bad-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'bad.yaml'),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: loose }',
          'spec:',
          '  replicas: "two"',
          '  selector: { matchLabels: { a: b } }',
          '  template:',
          '    metadata: { labels: { a: b } }',
          '    spec:',
          '      containers:',
          '        - { name: c, image: "customs-monitor:latest", securityContext: { readOnlyRootFilesystem: false } }',
          '---',
          'apiVersion: kafka.strimzi.io/v1beta2',
          'kind: KafkaTopic',
          'metadata: { name: Bad_Name, labels: { strimzi.io/cluster: c } }',
          'spec: { partitions: 0, replicas: 3 }',
        ].join('\n'),
      );
      const r = node(['scripts/validate-k8s.mjs', dir]);
      expect(r.status).toBe(1);
      for (const m of [
        'Deployment loose: data/spec/replicas must be integer',
        'Deployment loose container c: securityContext.readOnlyRootFilesystem must be true',
        'Deployment loose container c: securityContext.allowPrivilegeEscalation must be false',
        'Deployment loose container c: resources.limits.memory is missing',
        'Deployment loose container c: image "customs-monitor:latest" must have a pinned version tag',
        'Deployment loose container c: readinessProbe is missing',
        'Deployment loose: pod seccompProfile must be RuntimeDefault',
        'KafkaTopic Bad_Name: /metadata/name must match pattern',
        'KafkaTopic Bad_Name: /spec/partitions must be >= 1',
      ])
        expect(r.stderr).toContain(m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([['staging'], ['production']])('%s: one Strimzi KafkaTopic per topic of infra/kafka/topics.json', (env) => {
    const { topics } = JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/kafka/topics.json'), 'utf8')) as { topics: { name: string; partitions: number }[] };
    const prefix = env === 'staging' ? 'staging.' : '';
    const rendered = docsOf(env, 'kafka-topics.yaml').map((d) => [d.spec.topicName, d.spec.partitions, d.spec.replicas]);
    expect(rendered).toEqual(topics.map((t) => [prefix + t.name, t.partitions, 3]));
  });

  it('every service has probes on its health endpoints, an external-metric HPA when it consumes, and the migrations Job runs each service’s migrate.js', () => {
    const deployments = docsOf('production', 'services.yaml').filter((d) => d.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['ingestion', 'reference', 'validation', 'scoring', 'alerting', 'reporting']);
    for (const d of deployments) {
      const c = d.spec.template.spec.containers[0];
      expect([c.startupProbe.httpGet.path, c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path]).toEqual(['/healthz', '/readyz', '/healthz']);
    }
    const hpas = Object.fromEntries(docsOf('production', 'autoscaling.yaml').map((h) => [h.metadata.name, h.spec.metrics.map((m: { type: string }) => m.type)]));
    expect(hpas).toEqual({
      ingestion: ['External', 'Resource'],
      reference: ['Resource'],
      validation: ['External', 'Resource'],
      scoring: ['External', 'Resource'],
      alerting: ['External', 'Resource'],
      reporting: ['Resource'],
    });
    // The adapter rule that serves that external metric selects the same name, summed by service.
    const adapter = parseAllDocuments(fs.readFileSync(path.join(ROOT, 'infra/prometheus/adapter-external-metrics.yaml'), 'utf8'))[0]!.toJS() as {
      external: { name: { as: string }; metricsQuery: string }[];
    };
    expect(adapter.external.map((r) => r.name.as)).toEqual(['customs_kafka_consumer_lag']);
    expect(adapter.external[0]!.metricsQuery).toContain('sum by (service)');
    const [job] = docsOf('production', 'migrations-job.yaml');
    const commands = [...job!.spec.template.spec.initContainers, ...job!.spec.template.spec.containers].map((c: { command: string[] }) => c.command.join(' '));
    expect(commands).toEqual(deployments.map((d) => `node services/${d.metadata.name}/dist/migrate.js`));
    for (const cmd of commands) expect(fs.existsSync(path.join(ROOT, cmd.split(' ')[1]!.replace('/dist/', '/src/').replace(/\.js$/, '.ts')))).toBe(true);
    // The console's entry point where its build puts it (apps/console/tsconfig.json outDir).
    const [consoleDeployment] = docsOf('production', 'console.yaml');
    const entry = consoleDeployment!.spec.template.spec.containers[0].command[1] as string;
    const outDir = (JSON.parse(fs.readFileSync(path.join(ROOT, 'apps/console/tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    expect(entry).toBe(`apps/console/${outDir}/main.js`);
    expect(fs.existsSync(path.join(ROOT, 'apps/console/src/main.ts'))).toBe(true);
  });
});

describe('the image (infra/docker/Dockerfile)', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'infra/docker/Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('copies patches/ before npm ci, and builds from the lock file with a pinned base image', () => {
    const copyPatches = instructions.findIndex((l) => /^COPY\s+patches\s+patches$/.test(l.trim()));
    const npmCi = instructions.findIndex((l) => /^RUN\s.*\bnpm ci\b/.test(l.trim()));
    expect(copyPatches).toBeGreaterThanOrEqual(0);
    expect(npmCi).toBeGreaterThan(copyPatches);
    expect(instructions.some((l) => /^COPY\s+package\.json\s+package-lock\.json/.test(l.trim()))).toBe(true);
    expect(dockerfile).not.toMatch(/npm install\b/);
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(base).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    for (const from of instructions.filter((l) => l.startsWith('FROM '))) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\}( AS \w+)?$/);
    // The build context leaves out what must come from the build itself.
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '**/dist']));
    expect(ignored).not.toContain('patches');
  });

  it('the kafkajs patch is applied to the installed kafkajs and applies to a pristine copy', () => {
    const patch = path.join(ROOT, 'patches', fs.readdirSync(path.join(ROOT, 'patches')).find((f) => f.startsWith('kafkajs+'))!);
    const version = (require('kafkajs/package.json') as { version: string }).version;
    expect(path.basename(patch)).toBe(`kafkajs+${version}.patch`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkajs-patch-'));
    try {
      fs.mkdirSync(path.join(tmp, 'node_modules'));
      fs.cpSync(path.dirname(require.resolve('kafkajs/package.json')), path.join(tmp, 'node_modules/kafkajs'), { recursive: true });
      // Reversible on the installed copy = applied; once reversed, it applies forward again.
      execFileSync('git', ['apply', '--reverse', '--check', patch], { cwd: tmp });
      execFileSync('git', ['apply', '--reverse', patch], { cwd: tmp });
      execFileSync('git', ['apply', '--check', patch], { cwd: tmp });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
