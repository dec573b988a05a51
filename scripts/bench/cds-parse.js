// Parser-only throughput of the CDS item report reader/assembler on generated rows (one core).
// usage: node scripts/bench/cds-parse.js [rows]
const { parseCdsReports } = require('../../services/ingestion/dist/parse/cds/cds-report');
const { peakRss } = require('./lib');

const N = Number(process.argv[2] ?? 200000);
async function* rows() {
  yield Buffer.from(
    'MRN,Item Number,Commodity Code,CPC,Country of Origin,Preference,Item Price,Invoice Currency,Customs Value,Net Mass,Acceptance Date,All Item Document Codes,All Item Document References\n',
  );
  let chunk = '';
  for (let i = 0; i < N; i++) {
    // Three items per entry, like a typical multi-line import.
    const entry = Math.floor(i / 3);
    chunk += `23GB${String(entry).padStart(13, '0')}1,${(i % 3) + 1},6109100010,4000000,CN,100,${(i % 900) + 100}.50,EUR,${(i % 800) + 90}.12,12.5,17/01/2023,"N935,NULL",INV-${entry}\n`;
    if (chunk.length > 256 * 1024) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  yield Buffer.from(chunk);
}
(async () => {
  const rss = peakRss();
  const t0 = process.hrtime.bigint();
  const r = await parseCdsReports([{ sourceName: 'bench.csv', chunks: rows() }]);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const items = r.declarations.reduce((s, d) => s + d.items.length, 0);
  console.log(`CDS item report parse + join (one core): ${N} rows → ${r.declarations.length} declarations, ${items} items in ${secs.toFixed(2)} s`);
  console.log(`  ${Math.round(N / secs)} item lines/s; peak RSS ${rss()}; errors ${r.issues.filter((i) => i.severity === 'error').length}`);
})();
