#!/usr/bin/env node
// Renders the Kubernetes manifests of every environment from deploy/kubernetes/values.json into
// deploy/kubernetes/<environment>/ (ADR 0012: no Helm renderer runs here, so the chart is this
// script and its values, and what it writes is what gets applied and validated):
//   node scripts/gen-deploy.js            write the manifests
//   node scripts/gen-deploy.js --check    exit 1 when a committed manifest differs from a fresh render
//   node scripts/gen-deploy.js --help
// Each environment directory has a kustomization.yaml, so `kubectl apply -k deploy/kubernetes/<env>`
// applies it. scripts/deploy-manifests.unit.test.ts checks the render is current and validates every
// manifest against the Kubernetes schemas (scripts/validate-k8s.mjs, kubernetes-models).
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..');
const DEPLOY = path.join(ROOT, 'deploy/kubernetes');
const PART_OF = 'customs-monitor';

const USAGE = `usage: node scripts/gen-deploy.js [--check]
Renders deploy/kubernetes/<environment>/ from deploy/kubernetes/values.json and infra/kafka/topics.json.
  --check     compare with the committed manifests instead of writing (exit 1 when stale)
  -h, --help  this text
exit codes: 0 written / up to date, 1 stale (--check), 64 bad command line`;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** Deep merge of an environment's overrides onto the base values (objects merge, the rest replaces). */
function merge(base, over) {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

const labels = (name, component) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/component': component });
const selector = (name) => ({ 'app.kubernetes.io/name': name });

/** The pod and container security every workload gets: non-root, read-only root, no privilege, RuntimeDefault seccomp. */
const podSecurity = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
const containerSecurity = {
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const image = (v) => `${v.image.repository}:${v.image.tag}`;
const secretEnv = (name, secret, key, optional = false) => ({ name, valueFrom: { secretKeyRef: { name: secret, key, ...(optional ? { optional: true } : {}) } } });

function serviceEnv(v, name, svc) {
  const env = [
    { name: 'SERVICE', value: name },
    { name: 'HTTP_HOST', value: '0.0.0.0' },
    { name: 'HTTP_PORT', value: String(svc.http) },
    { name: 'GRPC_HOST', value: '0.0.0.0' },
    { name: 'GRPC_PORT', value: String(svc.grpc) },
    { name: 'KAFKA_BROKERS', value: v.kafka.bootstrap },
    { name: 'KAFKA_TOPIC_PREFIX', value: v.kafka.topicPrefix },
    { name: 'KAFKA_REPLICATION_FACTOR', value: String(v.kafka.topicReplicas) },
    ...kafkaSecurityEnv(v, name),
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: v.otlpEndpoint },
    { name: 'API_TOKENS_FILE', value: '/run/secrets/api-tokens/tokens' },
    // The service's own login role, with sslmode=verify-full for a managed Postgres (docs/deploy.md).
    secretEnv('DATABASE_URL', `${name}-database`, 'url'),
  ];
  if (name === 'validation') env.push({ name: 'REFERENCE_GRPC_ADDRESS', value: `reference:${v.services.reference.grpc}` }, secretEnv('SERVICE_TOKEN', 'customs-service-token', 'token'));
  if (name === 'ingestion') env.push({ name: 'SUBMISSION_KEYS_FILE', value: '/run/secrets/submission-keys/keys' });
  if (name === 'reference') env.push(secretEnv('OTT_API_CLIENT_ID', 'reference-ott-api', 'client-id', true), secretEnv('OTT_API_CLIENT_SECRET', 'reference-ott-api', 'client-secret', true));
  if (name === 'reporting')
    env.push(
      { name: 'INGESTION_URL', value: `http://ingestion:${v.services.ingestion.http}` },
      { name: 'ALERTING_URL', value: `http://alerting:${v.services.alerting.http}` },
      { name: 'SCORING_URL', value: `http://scoring:${v.services.scoring.http}` },
    );
  return env;
}

/**
 * TLS to the brokers with the cluster's CA (the `kafka-cluster-ca` secret: Strimzi's
 * <cluster>-cluster-ca-cert copied into this namespace) and SCRAM credentials per service (the
 * `<service>-kafka` secret: the password of its KafkaUser), as packages/config/src/kafka.ts reads them.
 */
function kafkaSecurityEnv(v, name) {
  if (!v.kafka.tls) return [];
  const env = [
    { name: 'KAFKA_SSL', value: 'true' },
    { name: 'KAFKA_SSL_CA_FILE', value: '/run/secrets/kafka-ca/ca.crt' },
  ];
  if (v.kafka.saslMechanism && v.kafka.saslMechanism !== 'none')
    env.push(
      { name: 'KAFKA_SASL_MECHANISM', value: v.kafka.saslMechanism },
      { name: 'KAFKA_SASL_USERNAME', value: `${v.kafka.topicPrefix}${name}`.replace(/[^a-z0-9.-]/g, '-') },
      { name: 'KAFKA_SASL_PASSWORD_FILE', value: '/run/secrets/kafka-user/password' },
    );
  return env;
}

function kafkaSecurityVolumes(v, name) {
  if (!v.kafka.tls) return { volumes: [], mounts: [] };
  const volumes = [{ name: 'kafka-ca', secret: { secretName: 'kafka-cluster-ca' } }];
  const mounts = [{ name: 'kafka-ca', mountPath: '/run/secrets/kafka-ca', readOnly: true }];
  if (v.kafka.saslMechanism && v.kafka.saslMechanism !== 'none') {
    volumes.push({ name: 'kafka-user', secret: { secretName: `${name}-kafka`, defaultMode: 0o400 } });
    mounts.push({ name: 'kafka-user', mountPath: '/run/secrets/kafka-user', readOnly: true });
  }
  return { volumes, mounts };
}

function probes(port) {
  return {
    // Start-up includes the service's migrations (none left after the Job) and consumer joins.
    startupProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 3 },
    readinessProbe: { httpGet: { path: '/readyz', port }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 3 },
    livenessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 3 },
  };
}

const resources = (r) => ({ requests: { cpu: r.cpu.request, memory: r.memory.request }, limits: { cpu: r.cpu.limit, memory: r.memory.limit } });

function serviceDeployment(v, name, svc) {
  const volumes = [
    { name: 'api-tokens', secret: { secretName: 'customs-api-tokens' } },
    // The managed Postgres's CA bundle, for sslrootcert=/run/secrets/postgres-ca/ca.pem (docs/deploy.md).
    { name: 'postgres-ca', secret: { secretName: 'postgres-ca', optional: true } },
    // The root filesystem is read-only: temporary files (streamed uploads, Chromium) go here.
    { name: 'tmp', emptyDir: { sizeLimit: name === 'ingestion' ? '10Gi' : '1Gi' } },
  ];
  const mounts = [
    { name: 'api-tokens', mountPath: '/run/secrets/api-tokens', readOnly: true },
    { name: 'postgres-ca', mountPath: '/run/secrets/postgres-ca', readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const kafkaSecurity = kafkaSecurityVolumes(v, name);
  volumes.push(...kafkaSecurity.volumes);
  mounts.push(...kafkaSecurity.mounts);
  if (name === 'ingestion') {
    volumes.push({ name: 'submission-keys', secret: { secretName: 'ingestion-submission-keys', defaultMode: 0o400 } });
    mounts.push({ name: 'submission-keys', mountPath: '/run/secrets/submission-keys', readOnly: true });
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: v.namespace, labels: labels(name, 'service'), annotations: { 'customs-monitor/sizing': svc.measured } },
    spec: {
      replicas: v.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector(name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(name, 'service'), annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(svc.http), 'prometheus.io/path': '/metrics' } },
        spec: {
          serviceAccountName: 'customs-service',
          automountServiceAccountToken: false,
          // SIGTERM lets consumers finish their batch and the relay its round (SHUTDOWN_TIMEOUT_MS 15 s each).
          terminationGracePeriodSeconds: 45,
          securityContext: podSecurity,
          containers: [
            {
              name,
              image: image(v),
              imagePullPolicy: 'IfNotPresent',
              env: serviceEnv(v, name, svc),
              ports: [
                { name: 'http', containerPort: svc.http, protocol: 'TCP' },
                { name: 'grpc', containerPort: svc.grpc, protocol: 'TCP' },
              ],
              ...probes('http'),
              resources: resources(svc),
              securityContext: containerSecurity,
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

function consoleDeployment(v) {
  const c = v.console;
  const urls = Object.entries(v.services).map(([n, s]) => ({ name: `${n.toUpperCase()}_URL`, value: `http://${n}:${s.http}` }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'console', namespace: v.namespace, labels: labels('console', 'console'), annotations: { 'customs-monitor/sizing': c.measured } },
    spec: {
      replicas: v.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector('console') },
      template: {
        metadata: { labels: labels('console', 'console') },
        spec: {
          serviceAccountName: 'customs-service',
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          securityContext: podSecurity,
          containers: [
            {
              name: 'console',
              image: image(v),
              imagePullPolicy: 'IfNotPresent',
              command: ['node', 'apps/console/dist/server/main.js'],
              env: [
                { name: 'CONSOLE_HOST', value: '0.0.0.0' },
                { name: 'CONSOLE_PORT', value: String(c.port) },
                { name: 'API_TOKENS_FILE', value: '/run/secrets/api-tokens/tokens' },
                // Behind the TLS-terminating ingress.
                { name: 'COOKIE_SECURE', value: 'true' },
                ...urls,
              ],
              ports: [{ name: 'http', containerPort: c.port, protocol: 'TCP' }],
              startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 30 },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, failureThreshold: 6 },
              resources: resources(c),
              securityContext: containerSecurity,
              volumeMounts: [
                { name: 'api-tokens', mountPath: '/run/secrets/api-tokens', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'api-tokens', secret: { secretName: 'customs-api-tokens' } },
            { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
          ],
        },
      },
    },
  };
}

function service(v, name, ports) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: v.namespace, labels: labels(name, name === 'console' ? 'console' : 'service') },
    spec: { type: 'ClusterIP', selector: selector(name), ports: ports.map(([n, p]) => ({ name: n, port: p, targetPort: n, protocol: 'TCP' })) },
  };
}

function pdb(v, name) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: v.namespace, labels: labels(name, name === 'console' ? 'console' : 'service') },
    // One pod at a time may be evicted: with 2+ replicas a drain keeps the service up; with one
    // it is restarted elsewhere rather than blocking the drain forever.
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(name) } },
  };
}

function hpa(v, name, svc) {
  const min = v.replicas;
  const metrics = svc.consumes
    ? [
        {
          // Per-partition lag (customs_kafka_consumer_lag, sampled by the service) through the
          // Prometheus adapter as an external metric; replicas past the partition count would idle.
          type: 'External',
          external: {
            metric: { name: 'customs_kafka_consumer_lag', selector: { matchLabels: { service: name } } },
            target: { type: 'AverageValue', averageValue: String(v.autoscaling.lagPerReplica) },
          },
        },
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      ]
    : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }];
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: v.namespace, labels: labels(name, 'service') },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: min,
      maxReplicas: Math.max(min, v.autoscaling.maxReplicas),
      metrics,
      // Scale in slowly: a consumer group rebalances on every change.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } },
    },
  };
}

const platformPods = { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': PART_OF } } };
const namespacePeer = (ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });

function networkPolicies(v) {
  const out = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: v.namespace, labels: { 'app.kubernetes.io/part-of': PART_OF } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
  ];
  const dns = {
    to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
  const kafka = {
    to: [namespacePeer(v.kafka.strimziNamespace)],
    ports: [
      { protocol: 'TCP', port: 9092 },
      { protocol: 'TCP', port: 9093 },
    ],
  };
  const postgres = { to: [{ ipBlock: { cidr: v.postgresCidr } }], ports: [{ protocol: 'TCP', port: 5432 }] };
  const otlp = { to: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 4318 }] };
  for (const [name, svc] of Object.entries(v.services)) {
    const from = [
      {
        from: [platformPods],
        ports: [
          { protocol: 'TCP', port: svc.http },
          { protocol: 'TCP', port: svc.grpc },
        ],
      },
      { from: [namespacePeer(v.monitoringNamespace)], ports: [{ protocol: 'TCP', port: svc.http }] },
    ];
    if (svc.ingress) from.push({ from: [namespacePeer(v.ingressNamespace)], ports: [{ protocol: 'TCP', port: svc.http }] });
    const egress = [dns, kafka, postgres, otlp, { to: [platformPods] }];
    // reference calls the Online Trade Tariff API; alerting delivers webhooks and syslog to
    // tenants' hosts (its own allow-list still refuses private addresses).
    if (svc.egressHttps)
      egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] });
    if (svc.egressSyslog)
      egress.push({
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }],
        ports: [
          { protocol: 'TCP', port: 514 },
          { protocol: 'UDP', port: 514 },
          { protocol: 'TCP', port: 6514 },
        ],
      });
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: v.namespace, labels: labels(name, 'service') },
      spec: { podSelector: { matchLabels: selector(name) }, policyTypes: ['Ingress', 'Egress'], ingress: from, egress },
    });
  }
  out.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'console', namespace: v.namespace, labels: labels('console', 'console') },
    spec: {
      podSelector: { matchLabels: selector('console') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [namespacePeer(v.ingressNamespace)], ports: [{ protocol: 'TCP', port: v.console.port }] }],
      egress: [dns, { to: [platformPods] }],
    },
  });
  out.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'migrations', namespace: v.namespace, labels: labels('migrations', 'migrations') },
    spec: { podSelector: { matchLabels: selector('migrations') }, policyTypes: ['Ingress', 'Egress'], egress: [dns, postgres] },
  });
  return out;
}

function migrationsJob(v) {
  const names = Object.keys(v.services);
  const container = (name) => ({
    name: `migrate-${name}`,
    image: image(v),
    imagePullPolicy: 'IfNotPresent',
    command: ['node', `services/${name}/dist/migrate.js`],
    env: [secretEnv('DATABASE_URL', `${name}-database`, 'url'), ...(name === 'validation' ? [secretEnv('SERVICE_TOKEN', 'customs-service-token', 'token')] : [])],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    securityContext: containerSecurity,
    volumeMounts: [{ name: 'postgres-ca', mountPath: '/run/secrets/postgres-ca', readOnly: true }],
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    // Named after the image tag: each release runs its migrations once, before its rollout.
    metadata: { name: `migrations-${v.image.tag.replace(/[^a-z0-9-]/gi, '-').toLowerCase()}`, namespace: v.namespace, labels: labels('migrations', 'migrations') },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 1800,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels: labels('migrations', 'migrations') },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: 'customs-service',
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          // One schema each, so order does not matter; init containers run them one at a time.
          initContainers: names.slice(0, -1).map(container),
          containers: [container(names.at(-1))],
          volumes: [{ name: 'postgres-ca', secret: { secretName: 'postgres-ca', optional: true } }],
        },
      },
    },
  };
}

/** Strimzi KafkaTopic resources from the one topic list, infra/kafka/topics.json. */
function kafkaTopics(v) {
  const { topics } = JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/kafka/topics.json'), 'utf8'));
  return topics.map((t) => {
    const topicName = v.kafka.topicPrefix + t.name;
    return {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: {
        name: topicName.toLowerCase().replace(/[^a-z0-9.-]/g, '-'),
        namespace: v.kafka.strimziNamespace,
        labels: { 'strimzi.io/cluster': v.kafka.strimziCluster, 'app.kubernetes.io/part-of': PART_OF },
      },
      spec: {
        topicName,
        partitions: t.partitions,
        replicas: v.kafka.topicReplicas,
        config: {
          'min.insync.replicas': String(Math.min(v.kafka.minInsyncReplicas, v.kafka.topicReplicas)),
          // infra/kafka's message.max.bytes; KAFKA_MAX_MESSAGE_BYTES must match.
          'max.message.bytes': String(16 * 1024 * 1024),
          ...(t.message === 'dead-letter' ? { 'retention.ms': String(30 * 24 * 3600 * 1000) } : {}),
        },
      },
    };
  });
}

function render(env) {
  const values = JSON.parse(fs.readFileSync(path.join(DEPLOY, 'values.json'), 'utf8'));
  const v = merge(values.base, values.environments[env]);
  if (!/^\d+\.\d+\.\d+([-+][\w.]+)?$/.test(v.image.tag)) throw new Error(`image.tag must be a pinned version, got "${v.image.tag}"`);
  const files = {
    'service-account.yaml': [
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'customs-service', namespace: v.namespace, labels: { 'app.kubernetes.io/part-of': PART_OF } },
        automountServiceAccountToken: false,
      },
    ],
    'migrations-job.yaml': [migrationsJob(v)],
    'services.yaml': Object.entries(v.services).flatMap(([n, s]) => [
      serviceDeployment(v, n, s),
      service(v, n, [
        ['http', s.http],
        ['grpc', s.grpc],
      ]),
    ]),
    'console.yaml': [consoleDeployment(v), service(v, 'console', [['http', v.console.port]])],
    'autoscaling.yaml': Object.entries(v.services).map(([n, s]) => hpa(v, n, s)),
    'disruption-budgets.yaml': [...Object.keys(v.services), 'console'].map((n) => pdb(v, n)),
    'network-policies.yaml': networkPolicies(v),
    'kafka-topics.yaml': kafkaTopics(v),
  };
  const header = `# Generated by scripts/gen-deploy.js from deploy/kubernetes/values.json (environment "${env}"); do not edit.\n`;
  const out = {};
  for (const [file, docs] of Object.entries(files)) out[file] = header + docs.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n');
  out['kustomization.yaml'] = header + YAML.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: Object.keys(files) });
  return out;
}

function environments() {
  return Object.keys(JSON.parse(fs.readFileSync(path.join(DEPLOY, 'values.json'), 'utf8')).environments);
}

module.exports = { render, environments };

if (require.main === module) {
  let args;
  try {
    args = parseArgs({ options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  } catch (e) {
    console.error(`gen-deploy: ${e.message}\n${USAGE}`);
    process.exit(64);
  }
  if (args.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let stale = 0;
  for (const env of environments()) {
    const dir = path.join(DEPLOY, env);
    const files = render(env);
    if (args.values.check) {
      for (const [f, text] of Object.entries(files)) {
        const p = path.join(dir, f);
        if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== text) {
          console.error(`stale: deploy/kubernetes/${env}/${f} (run node scripts/gen-deploy.js)`);
          stale++;
        }
      }
      continue;
    }
    fs.mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    console.log(`deploy/kubernetes/${env}: ${Object.keys(files).length} files`);
  }
  process.exit(stale ? 1 : 0);
}
