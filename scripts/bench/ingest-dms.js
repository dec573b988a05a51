// Broker-feed ingestion end to end: HMRC's sample WCO/DMS declarations (originals of the bundled
// corpus, each posted with a fresh LRN so idempotency does not short-circuit it) sent to an
// ingestion service of its own (isolated-ingestion.js) until every declaration is on
// ingestion.declaration.received.v1. Reports documents and item lines per second, HTTP latency
// percentiles, CPU by process and the service's peak RSS.
//   rest:      one document per POST /v1/documents, `concurrency` clients (a broker's integration)
//   multipart: `perUpload` documents per POST /v1/uploads (the CLI submitting a folder)
// Needs Postgres and Kafka (scripts/postgres.sh ensure, scripts/kafka.sh start) and `npx tsc -b`.
//
// usage: node scripts/bench/ingest-dms.js [documents=4000] [rest|multipart] [concurrency=16] [perUpload=50]
const fs = require('node:fs');
const path = require('node:path');
const { startIsolatedIngestion, describeUsage } = require('./isolated-ingestion');
const { latencySummary } = require('./lib');

const N = Number(process.argv[2] ?? 4000);
const mode = process.argv[3] ?? 'rest';
const C = Number(process.argv[4] ?? 16);
const perUpload = Number(process.argv[5] ?? 50);
const root = path.resolve(__dirname, '../..');
const corpusDir = path.join(root, 'packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples');

function corpus() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.xml')) {
        const xml = fs.readFileSync(p, 'utf8');
        // Originals only: an amendment or invalidation needs its target ingested first.
        if (/DMSRES/.test(e.name)) continue; // HMRC's sample notifications (DMS responses), not declarations
        if (!/<FunctionCode>9<\/FunctionCode>/.test(xml) || /<FunctionCode>1[34]<\/FunctionCode>/.test(xml)) continue;
        if (!/<FunctionalReferenceID>[^<]*<\/FunctionalReferenceID>/.test(xml)) continue;
        out.push({ name: e.name, xml, items: (xml.match(/<GovernmentAgencyGoodsItem>/g) ?? []).length });
      }
    }
  };
  walk(corpusDir);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function main() {
  const docs = corpus();
  const run = Date.now().toString(36).toUpperCase();
  const nth = (i) => {
    const d = docs[i % docs.length];
    return { name: `${i}-${d.name}`, items: d.items, xml: d.xml.replace(/<FunctionalReferenceID>[^<]*<\/FunctionalReferenceID>/, `<FunctionalReferenceID>B${run}${i}</FunctionalReferenceID>`) };
  };
  const service = await startIsolatedIngestion();
  const auth = { authorization: `Bearer ${service.token}` };
  try {
    // Warm-up (JIT, connections, the XSD worker), not counted.
    for (let i = 0; i < 20; i++)
      await fetch(`${service.base}/v1/documents?filename=warm.xml`, { method: 'POST', headers: { ...auth, 'content-type': 'application/xml' }, body: nth(N + i).xml }).then((r) => r.arrayBuffer());
    const warmed = await service.waitOnTopic(0).then(() => service.onTopic());
    const meter = service.meter();
    const clientCpu = process.cpuUsage();
    const lat = [];
    let next = 0,
      accepted = 0,
      items = 0,
      other = 0;
    const count = (r) => {
      if (r.status === 'accepted' || r.status === 'partially_accepted') {
        accepted += r.declarations.filter((d) => !d.duplicate).length;
        return true;
      }
      other++;
      return false;
    };
    const t0 = Date.now();
    if (mode === 'rest') {
      await Promise.all(
        Array.from({ length: C }, async () => {
          while (next < N) {
            const d = nth(next++);
            const s = performance.now();
            const res = await fetch(`${service.base}/v1/documents?filename=${encodeURIComponent(d.name)}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/xml' }, body: d.xml });
            const j = await res.json();
            lat.push(performance.now() - s);
            if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${JSON.stringify(j).slice(0, 300)}`);
            if (count(j)) items += d.items;
          }
        }),
      );
    } else if (mode === 'multipart') {
      await Promise.all(
        Array.from({ length: C }, async () => {
          while (next < N) {
            const form = new FormData();
            const batch = [];
            for (let k = 0; k < perUpload && next < N; k++) batch.push(nth(next++));
            for (const d of batch) form.append('file', new Blob([d.xml], { type: 'application/xml' }), d.name);
            const s = performance.now();
            const res = await fetch(`${service.base}/v1/uploads?format=dms-xml`, { method: 'POST', headers: auth, body: form });
            const j = await res.json();
            lat.push(performance.now() - s);
            if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${JSON.stringify(j).slice(0, 300)}`);
            const files = j.files ?? j.results ?? [];
            files.forEach((r, k) => count(r) && (items += batch[k].items));
          }
        }),
      );
    } else throw new Error(`mode must be rest or multipart, not ${mode}`);
    const stored = (Date.now() - t0) / 1000;
    const onTopic = await service.waitOnTopic(warmed + accepted);
    const total = (Date.now() - t0) / 1000;
    const usage = meter.done();
    const unit = mode === 'rest' ? 'request' : `upload of ${perUpload}`;
    console.log(
      `DMS XML ${mode} → Postgres → topic: ${N} documents (${docs.length} HMRC originals, fresh LRN each; TT_IM084a and TT_IM222a among them are rejected by design), ${C} concurrent clients${mode === 'multipart' ? `, ${perUpload} files per upload` : ''}`,
    );
    console.log(
      `  ${accepted} declarations accepted (${items} item lines), ${other} not accepted; all ${onTopic - warmed} on the topic after ${total.toFixed(1)} s (stored after ${stored.toFixed(1)} s)`,
    );
    console.log(`  → ${Math.round(N / total)} documents/s, ${Math.round(items / total)} item lines/s end to end`);
    console.log(`  HTTP per ${unit}: ${latencySummary(lat)}`);
    console.log(describeUsage(usage, total));
    const c = process.cpuUsage(clientCpu);
    console.log(`  this client (HTTP requests, on the same cores): ${((c.user + c.system) / 1e6).toFixed(1)} CPU seconds`);
  } finally {
    await service.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
