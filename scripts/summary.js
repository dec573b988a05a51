// Prints what the platform made of the loaded data and where to look. Waits (up to 60 s) until
// the pipeline settles: the alert count stops changing.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tokens = fs.readFileSync(path.join(root, '.run/api-tokens'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
const analyst = tokens.find((l) => l.endsWith(':analyst')).split('=')[0];
const get = async (port, p) => {
  const r = await fetch(`http://127.0.0.1:${port}${p}`, { headers: { authorization: `Bearer ${analyst}` } });
  return r.json();
};

(async () => {
  let last = -1;
  let alerts = [];
  for (let i = 0; i < 60; i++) {
    alerts = (await get(8085, '/v1/alerts?limit=1000')).alerts ?? [];
    if (alerts.length === last && alerts.length > 0) break;
    last = alerts.length;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const batches = (await get(8081, '/v1/batches?limit=500')).batches ?? [];
  const bySeverity = {};
  for (const a of alerts) bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
  const pounds = (p) => `£${(Number(p || 0) / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  console.log(`\n${batches.length} documents ingested (${batches.filter((b) => b.status === 'rejected').length} rejected, kept for review: GET /v1/batches)`);
  console.log(`${alerts.length} alerts: ${Object.entries(bySeverity).map(([k, v]) => `${v} ${k.replace('SEVERITY_', '').toLowerCase()}`).join(', ')}`);
  for (const a of alerts.slice(0, 5)) console.log(`  [${a.severity.replace('SEVERITY_', '')}] ${a.title} — declaration ${a.mrn || a.declarationId} exposure ${pounds(a.exposurePence)} reclaim ${pounds(a.reclaimPence)}`);
  console.log(`
Where to look (tokens are in .run/api-tokens; the analyst token is used below):
  export TOKEN=${analyst}
  Alerts (REST):         curl -s -H "authorization: Bearer $TOKEN" http://127.0.0.1:8085/v1/alerts | jq
  Watch alerts (gRPC):   node scripts/watch-alerts.js            (server stream, resumes from a cursor)
  One declaration:       curl -s -H "authorization: Bearer $TOKEN" http://127.0.0.1:8081/v1/declarations/<id>
  Its findings:          curl -s -H "authorization: Bearer $TOKEN" http://127.0.0.1:8083/v1/declarations/<id>/findings
  Scores:                curl -s -H "authorization: Bearer $TOKEN" http://127.0.0.1:8084/v1/scores/broker
  Batches and errors:    curl -s -H "authorization: Bearer $TOKEN" http://127.0.0.1:8081/v1/batches
  Metrics:               http://127.0.0.1:808{1..5}/metrics   Logs: .run/services/*.log
  Stop:                  make down`);
})().catch((e) => {
  console.error(`summary failed: ${e.message}`);
  process.exit(1);
});
