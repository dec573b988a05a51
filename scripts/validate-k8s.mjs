#!/usr/bin/env node
// Validates rendered Kubernetes manifests (kubeconform's job; it is not installable here):
//   node scripts/validate-k8s.mjs [dir …]     default: every deploy/kubernetes/<environment>/
// - each built-in resource against the Kubernetes OpenAPI schema, with the kubernetes-models
//   classes (their validate() runs the schema of that apiVersion/kind);
// - Strimzi KafkaTopic against the CRD's spec fields the platform sets (a subset of
//   kafka.strimzi.io/v1beta2, with ajv; the CRD itself is not vendored);
// - the platform's own rules for workloads: non-root, read-only root filesystem, no privilege
//   escalation, RuntimeDefault seccomp, CPU and memory requests and limits, probes on every
//   service container, and a pinned image tag.
// Prints one line per problem, then a JSON summary; exit 0 when all are valid, 1 otherwise, 64 for
// a bad command line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import YAML from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

const kafkaTopicSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata: {
      type: 'object',
      required: ['name', 'labels'],
      properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 }, labels: { type: 'object', required: ['strimzi.io/cluster'] } },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['partitions', 'replicas'],
      properties: {
        topicName: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' },
        partitions: { type: 'integer', minimum: 1 },
        replicas: { type: 'integer', minimum: 1, maximum: 32767 },
        config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      },
    },
  },
};
const validateKafkaTopic = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(kafkaTopicSchema);

function workloadProblems(doc) {
  const problems = [];
  const pod = doc.spec?.template?.spec;
  if (!pod) return [`${doc.kind} ${doc.metadata?.name}: no pod template`];
  const where = `${doc.kind} ${doc.metadata.name}`;
  if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${where}: pod securityContext.runAsNonRoot must be true`);
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${where}: pod seccompProfile must be RuntimeDefault`);
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const at = `${where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: securityContext.readOnlyRootFilesystem must be true`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: securityContext.allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: securityContext.capabilities.drop must include ALL`);
    for (const kind of ['requests', 'limits']) for (const r of ['cpu', 'memory']) if (!c.resources?.[kind]?.[r]) problems.push(`${at}: resources.${kind}.${r} is missing`);
    if (!/^[^:@]+(:[0-9]+\.[0-9]+\.[0-9]+[\w.+-]*)(@sha256:[0-9a-f]{64})?$/.test(c.image ?? '')) problems.push(`${at}: image "${c.image}" must have a pinned version tag (not latest, not untagged)`);
    if (doc.kind === 'Deployment') for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe']) if (!c[p]) problems.push(`${at}: ${p} is missing`);
  }
  return problems;
}

export function validateDocuments(docs) {
  const problems = [];
  const counts = {};
  for (const { file, doc } of docs) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    counts[key] = (counts[key] ?? 0) + 1;
    const where = `${file}: ${doc.kind ?? '?'} ${doc.metadata?.name ?? '?'}`;
    if (key === 'kafka.strimzi.io/v1beta2/KafkaTopic') {
      if (!validateKafkaTopic(doc)) for (const e of validateKafkaTopic.errors) problems.push(`${where}: ${e.instancePath || '/'} ${e.message}`);
      continue;
    }
    const Model = MODELS[key];
    if (!Model) {
      problems.push(`${where}: no schema for ${key}`);
      continue;
    }
    try {
      new Model(doc).validate();
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
    if (doc.kind === 'Deployment' || doc.kind === 'Job') for (const p of workloadProblems(doc)) problems.push(`${file}: ${p}`);
  }
  return { problems, counts };
}

export function readManifests(dir) {
  const docs = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(f) || f === 'kustomization.yaml') continue;
    const file = path.relative(ROOT, path.join(dir, f));
    for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))) {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
      const doc = d.toJS();
      if (doc) docs.push({ file, doc });
    }
  }
  return docs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: node scripts/validate-k8s.mjs [dir …]  (default: every deploy/kubernetes/<environment>/)\nexit codes: 0 valid, 1 invalid, 64 bad command line');
    process.exit(0);
  }
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown) {
    console.error(`validate-k8s: unknown option ${unknown}`);
    process.exit(64);
  }
  const base = path.join(ROOT, 'deploy/kubernetes');
  const dirs = args.length
    ? args
    : fs
        .readdirSync(base)
        .filter((d) => fs.statSync(path.join(base, d)).isDirectory())
        .map((d) => path.join(base, d));
  const all = { problems: [], counts: {}, directories: dirs.map((d) => path.relative(ROOT, path.resolve(d))) };
  for (const dir of dirs) {
    const { problems, counts } = validateDocuments(readManifests(dir));
    all.problems.push(...problems);
    for (const [k, n] of Object.entries(counts)) all.counts[k] = (all.counts[k] ?? 0) + n;
  }
  for (const p of all.problems) console.error(p);
  console.log(JSON.stringify({ valid: all.problems.length === 0, documents: Object.values(all.counts).reduce((a, b) => a + b, 0), counts: all.counts, directories: all.directories }));
  process.exit(all.problems.length ? 1 : 0);
}
