#!/usr/bin/env node
// Writes docs/asyncapi.yaml, the AsyncAPI 3.0 document of the platform's Kafka topics, from
// infra/kafka/topics.json (topics, partitions, message types, DLQs; checked against the topic
// registry packages/contracts/src/topics.ts by scripts/kafka-topics.unit.test.ts) and the protos
// (payload schemas and their documentation, from buf's image). Payloads travel as protobuf
// (content-type application/protobuf; messageType=…); each schema describes the message's proto3
// JSON form, what `buf convert` prints (docs/kafka.md). make proto regenerates it;
// scripts/asyncapi.unit.test.ts fails when it is stale or invalid.
// Usage: node scripts/gen-asyncapi.js [--check] (--check prints the document instead of writing it).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const repo = path.resolve(__dirname, '..');

function build() {
  const { topics } = JSON.parse(fs.readFileSync(path.join(repo, 'infra/kafka/topics.json'), 'utf8'));
  const image = JSON.parse(execFileSync('buf', ['build', '-o', '-#format=json'], { cwd: path.join(repo, 'proto'), maxBuffer: 64 * 1024 * 1024 }).toString('utf8'));

  // Every message and enum of the module by full name, with its leading comment.
  const types = new Map();
  for (const file of image.file) {
    const comments = new Map((file.sourceCodeInfo?.location ?? []).map((l) => [(l.path ?? []).join('.'), (l.leadingComments ?? '').trim()]));
    const visit = (msgs, prefix, pathPrefix) =>
      (msgs ?? []).forEach((m, i) => {
        const p = [...pathPrefix, i];
        const full = `${prefix}.${m.name}`;
        types.set(full, { kind: 'message', m, doc: comments.get(p.join('.')) ?? '', fieldDoc: (j) => comments.get([...p, 2, j].join('.')) ?? '' });
        (m.enumType ?? []).forEach((e, k) => types.set(`${full}.${e.name}`, { kind: 'enum', e, doc: comments.get([...p, 4, k].join('.')) ?? '' }));
        visit(m.nestedType, full, [...p, 3]);
      });
    visit(file.messageType, file.package, [4]);
    (file.enumType ?? []).forEach((e, k) => types.set(`${file.package}.${e.name}`, { kind: 'enum', e, doc: comments.get([5, k].join('.')) ?? '' }));
  }
  const oneLine = (s) => s.replace(/\s*\n\s*/g, ' ').trim();
  const schemaName = (full) => full.replace(/^customs\.v1\./, '').replace(/\./g, '_');

  // proto3 JSON mapping (https://protobuf.dev/programming-guides/json/) as JSON Schema.
  const schemas = {};
  const scalar = {
    TYPE_STRING: { type: 'string' },
    TYPE_BOOL: { type: 'boolean' },
    TYPE_INT32: { type: 'integer', format: 'int32' },
    TYPE_UINT32: { type: 'integer', format: 'int32', minimum: 0 },
    TYPE_SINT32: { type: 'integer', format: 'int32' },
    TYPE_DOUBLE: { type: 'number', format: 'double' },
    TYPE_FLOAT: { type: 'number', format: 'float' },
    // 64-bit integers are JSON strings in the proto3 mapping (money in pence is int64).
    TYPE_INT64: { type: 'string', pattern: '^-?[0-9]+$', description: 'int64 as a decimal string' },
    TYPE_UINT64: { type: 'string', pattern: '^[0-9]+$', description: 'uint64 as a decimal string' },
    TYPE_SINT64: { type: 'string', pattern: '^-?[0-9]+$', description: 'int64 as a decimal string' },
    TYPE_BYTES: { type: 'string', contentEncoding: 'base64' },
  };
  function ref(full) {
    define(full);
    return { $ref: `#/components/schemas/${schemaName(full)}` };
  }
  function fieldSchema(f, owner) {
    if (f.typeName) {
      const full = f.typeName.replace(/^\./, '');
      const entry = owner.m.nestedType?.find((n) => n.options?.mapEntry && full.endsWith(`.${n.name}`));
      if (entry) return { type: 'object', additionalProperties: fieldSchema(entry.field[1], types.get(full)) };
      const s = ref(full);
      return f.label === 'LABEL_REPEATED' ? { type: 'array', items: s } : s;
    }
    const s = { ...scalar[f.type] };
    return f.label === 'LABEL_REPEATED' ? { type: 'array', items: s } : s;
  }
  function define(full) {
    const name = schemaName(full);
    if (schemas[name]) return;
    const t = types.get(full);
    if (!t) throw new Error(`gen-asyncapi: type ${full} is not in proto/`);
    if (t.kind === 'enum') {
      schemas[name] = { type: 'string', description: oneLine(t.doc), enum: t.e.value.map((v) => v.name) };
      return;
    }
    const properties = {};
    schemas[name] = { type: 'object', description: oneLine(t.doc), properties };
    (t.m.field ?? []).forEach((f, j) => {
      const s = fieldSchema(f, t);
      const doc = oneLine(t.fieldDoc(j));
      properties[f.jsonName ?? f.name] = doc ? (s.$ref ? { allOf: [s], description: doc } : { ...s, description: s.description ? `${doc} (${s.description})` : doc }) : s;
    });
  }

  const channels = {};
  const operations = {};
  const messages = {};
  const headers = {
    type: 'object',
    description: 'CloudEvents 1.0 Kafka protocol binding, binary content mode, plus W3C trace context.',
    required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type', 'ce_tenant', 'traceparent'],
    properties: {
      ce_specversion: { type: 'string', const: '1.0' },
      ce_id: { type: 'string', description: 'Event id; deterministic where the producer can derive one. Consumers deduplicate by it.' },
      ce_source: { type: 'string', description: 'Producing service, "/customs/<service>".' },
      ce_type: { type: 'string', description: 'The topic name, e.g. "alerting.alert.changed.v1".' },
      ce_time: { type: 'string', format: 'date-time' },
      ce_subject: { type: 'string', description: 'What the event is about (e.g. the alert or declaration id), where set.' },
      'content-type': { type: 'string', description: '"application/protobuf; messageType=<full proto name>".' },
      ce_tenant: { type: 'string', description: 'CloudEvents extension attribute "tenant": the tenant the event belongs to.' },
      traceparent: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$', description: 'W3C trace context; on every message.' },
      tracestate: { type: 'string' },
    },
  };
  const deadLetterHeaders = {
    type: 'object',
    description: 'The original message headers, plus what the consumer group added when it gave up on the message.',
    required: ['dlq_error', 'dlq_original_topic', 'dlq_original_partition', 'dlq_original_offset', 'dlq_consumer_group', 'dlq_at'],
    properties: {
      dlq_error: { type: 'string', description: 'Why: the decode error or the handler error (at most 2,000 characters).' },
      dlq_original_topic: { type: 'string' },
      dlq_original_partition: { type: 'string' },
      dlq_original_offset: { type: 'string' },
      dlq_consumer_group: { type: 'string' },
      dlq_at: { type: 'string', format: 'date-time' },
    },
  };
  for (const t of topics) {
    const id = t.name.replace(/[^A-Za-z0-9]+/g, '_');
    if (t.message === 'dead-letter') {
      const group = t.name.replace(/\.dlq$/, '');
      messages[`${id}_message`] = {
        name: 'DeadLetter',
        title: `Dead letter of consumer group ${group}`,
        contentType: 'application/octet-stream',
        summary: 'The original key and value, unchanged (protobuf of the source topic, or whatever could not be decoded).',
        headers: deadLetterHeaders,
        payload: { type: 'string', format: 'binary' },
      };
      channels[id] = {
        address: t.name,
        title: t.name,
        description: `Dead letters of consumer group "${group}" (${t.partitions} partition${t.partitions === 1 ? '' : 's'}). Re-publish them to their source topic with node scripts/kafka-redrive.js --group ${group}.`,
        messages: { [`${id}_message`]: { $ref: `#/components/messages/${id}_message` } },
      };
      operations[`${id}_publish`] = { action: 'send', channel: { $ref: `#/channels/${id}` }, summary: `Consumer group ${group} dead-letters a message it cannot process.` };
      continue;
    }
    define(t.message);
    const doc = types.get(t.message).doc;
    messages[`${id}_message`] = {
      name: schemaName(t.message),
      title: t.message,
      contentType: `application/protobuf; messageType=${t.message}`,
      summary: oneLine(doc),
      headers,
      payload: { $ref: `#/components/schemas/${schemaName(t.message)}` },
      bindings: { kafka: { key: { type: 'string', description: 'Partition key: tenant and entity (e.g. "<tenant>/<MRN or LRN>"), keeping one entity in order.' } } },
    };
    channels[id] = {
      address: t.name,
      title: t.name,
      description: `${oneLine(doc)} ${t.partitions} partitions; payload ${t.message} (proto/), encoded as protobuf.`,
      messages: { [`${id}_message`]: { $ref: `#/components/messages/${id}_message` } },
      bindings: { kafka: { partitions: t.partitions } },
    };
    operations[`${id}_send`] = { action: 'send', channel: { $ref: `#/channels/${id}` }, summary: `Publish ${t.message} (${t.name.split('.')[0]} service, through its transactional outbox).` };
  }
  const doc = {
    asyncapi: '3.0.0',
    info: {
      title: 'Customs compliance monitoring — Kafka events',
      version: '1.0.0',
      description:
        'Generated by scripts/gen-asyncapi.js from infra/kafka/topics.json and proto/ (make proto); do not edit. Every message follows the CloudEvents 1.0 Kafka binding (binary mode) with the tenant as the ce_tenant extension and a W3C traceparent; payloads are protobuf, and each schema here is the payload’s proto3 JSON form (what buf convert prints). Physical topic names carry the deployment’s KAFKA_TOPIC_PREFIX. See docs/kafka.md.',
    },
    defaultContentType: 'application/protobuf',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The development broker of scripts/kafka.sh (PLAINTEXT).' },
      production: {
        host: '{bootstrap}',
        protocol: 'kafka-secure',
        description: 'A production cluster (MSK, Confluent Cloud, Strimzi) over TLS with SASL (docs/kafka.md).',
        variables: { bootstrap: { description: 'KAFKA_BROKERS, e.g. b-1.example.kafka.eu-west-2.amazonaws.com:9096' } },
      },
    },
    channels,
    operations,
    components: { messages, schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) },
  };
  return `# Generated by scripts/gen-asyncapi.js (make proto). DO NOT EDIT.\n${YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

module.exports = { build };
if (require.main === module) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log('usage: node scripts/gen-asyncapi.js [--check]\nWrites docs/asyncapi.yaml from infra/kafka/topics.json and proto/; --check prints it instead.');
    process.exit(0);
  }
  const text = build();
  if (process.argv.includes('--check')) process.stdout.write(text);
  else fs.writeFileSync(path.join(repo, 'docs/asyncapi.yaml'), text);
}
