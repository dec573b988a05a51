// Duty-engine throughput on one core: computeDutyLine over every line of the shipped UK Global
// Tariff (so the expression mix is the tariff's own: mostly ad valorem, then specific, compound,
// % vol/hl, items and seasonal), with parsed expressions cached, VAT at 20%.
// usage: npx tsc -b && node scripts/bench/duty-engine.js [rounds] [batchSize]
const fs = require('node:fs');
const path = require('node:path');
const { computeDutyLine, parseDutyExpression, dutyExpressionCacheSize } = require('../../packages/duty/dist');
const { latencySummary, peakRss } = require('./lib');

function parseCsv(text) {
  const rows = [];
  let row = [],
    field = '',
    quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// Deterministic pseudo-random declared values so runs are comparable.
let seed = 42;
const rnd = (n) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
const dates = ['2021-01-15', '2021-06-20', '2022-03-01', '2022-09-30', '2023-01-10', '2023-07-04'];

const kinds = { adValorem: 0, specificOrCompound: 0, seasonal: 0 };
// In a function so the parsed CSV is garbage once the inputs exist.
function buildInputs() {
  const csv = parseCsv(fs.readFileSync(path.resolve(__dirname, '../../services/reference/data/tariff/ukgt_2021-01-01_global-uk-tariff.csv'), 'utf8'));
  const header = csv.shift();
  const [iCode, iRate] = [header.indexOf('commodity'), header.indexOf('ukgt_duty_rate')];
  const inputs = [];
  for (const r of csv) {
    if (r.length < 4) continue;
    const expression = r[iRate];
    const e = parseDutyExpression(expression);
    if (e.kind === 'seasonal') kinds.seasonal++;
    else if (e.components.every((c) => c.kind === 'adValorem') && e.clauses.length === 0) kinds.adValorem++;
    else kinds.specificOrCompound++;
    inputs.push({
      acceptanceDate: dates[rnd(dates.length)],
      customsValue:
        rnd(4) === 0
          ? { amount: `${1 + rnd(200000)}.${String(rnd(100)).padStart(2, '0')}`, currency: 'USD', unitsPerGbp: '1.2406', rateSource: 'HMRC monthly rate 2023-01' }
          : { pence: 100 + rnd(50_000_000) },
      quantities: {
        netMassKg: `${1 + rnd(20000)}.${rnd(10)}`,
        grossMassKg: `${20001 + rnd(1000)}`,
        supplementaryUnits: `${1 + rnd(5000)}`,
        supplementaryUnit: /vol|hl/.test(expression) ? 'LTR' : 'NAR',
        alcoholPercentVol: `${5 + rnd(40)}.${rnd(10)}`,
        sucrosePercent: `${rnd(100)}`,
        byUnit: { KGMP: `${1 + rnd(1000)}`, KGME: `${1 + rnd(1000)}`, DTNM: `${1 + rnd(100)}` },
      },
      measures: [{ measureType: '103', taxType: 'A00', expression, source: `UKGT ${r[iCode]}` }],
      vatRatePercent: '20',
    });
  }
  return inputs;
}
const inputs = buildInputs();

const rounds = Number(process.argv[2] ?? 30);
const batchSize = Number(process.argv[3] ?? 1000);
global.gc?.();
const setupRss = Math.round(process.memoryUsage().rss / 1048576);
const rss = peakRss();
let unknown = 0;
for (const i of inputs) if (computeDutyLine(i).status !== 'computed') unknown++; // warm-up, also checks the mix
const lat = [];
let n = 0;
let checksum = 0;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  for (let b = 0; b < inputs.length; b += batchSize) {
    const end = Math.min(inputs.length, b + batchSize);
    const s = process.hrtime.bigint();
    for (let i = b; i < end; i++) checksum += computeDutyLine(inputs[i]).dutyPence;
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    n += end - b;
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
// CPU time is what one core actually spent; on a busy box wall time also counts waiting for a core.
const cpuSecs = (cpu.user + cpu.system) / 1e6;
console.log(`Duty engine (one core, cached parses): ${n} line computations (${inputs.length} UKGT lines × ${rounds} rounds) in ${secs.toFixed(2)} s`);
console.log(
  `  mix: ${kinds.adValorem} ad valorem, ${kinds.specificOrCompound} specific/compound, ${kinds.seasonal} seasonal; ${unknown} unknown; ${dutyExpressionCacheSize()} cached expressions; checksum ${checksum}`,
);
console.log(`  ${Math.round(n / secs)} computations/s wall clock, ${Math.round(n / cpuSecs)} per CPU-second (duty + VAT + explanation), ${((cpuSecs / n) * 1e6).toFixed(2)} µs CPU each`);
console.log(
  `  load average at the end ${require('node:os')
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${require('node:os').cpus().length} CPUs (other work on the box slows this)`,
);
console.log(`  per-batch (${batchSize} computations) latency ${latencySummary(lat)}; peak RSS ${rss()} (${setupRss} MiB after loading the inputs)`);
