import fs from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { Topics } from '@customs/contracts';

// docs/asyncapi.yaml is generated (scripts/gen-asyncapi.js, make proto) from infra/kafka/topics.json
// and proto/; here it must be current and a valid AsyncAPI 3.0 document for @asyncapi/parser.
const ROOT = path.resolve(__dirname, '..');
const { build } = require('./gen-asyncapi.js') as { build(): string };
const committed = fs.readFileSync(path.join(ROOT, 'docs/asyncapi.yaml'), 'utf8');

describe('docs/asyncapi.yaml', () => {
  it('is what scripts/gen-asyncapi.js generates from topics.json and the protos (regenerate with make proto)', () => {
    expect(committed === build()).toBe(true);
  });

  it('is a valid AsyncAPI 3.0 document (no error or warning) with a channel per topic, protobuf content type and CloudEvents headers', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document!.version()).toBe('3.0.0');
    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    for (const t of Object.values(Topics)) expect(addresses).toContain(t.name);
    const alert = document!
      .channels()
      .all()
      .find((c) => c.address() === Topics.alertChanged.name)!;
    const message = alert.messages().all()[0]!;
    expect(message.contentType()).toBe('application/protobuf; messageType=customs.v1.AlertChanged');
    expect(Object.keys(message.headers()!.properties()!)).toEqual(expect.arrayContaining(['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type', 'ce_tenant', 'traceparent']));
    expect(Object.keys(message.payload()!.properties()!)).toEqual(['alert', 'change']);
  });
});
