#!/usr/bin/env node
// Writes a large synthetic HMRC CDS import item report (CSV) for streaming-ingestion benchmarks.
// Deterministic: the same arguments give the same bytes (no clock, no randomness), so a re-upload
// is recognisably the same content. Three item rows per entry, entries contiguous (as HMRC orders
// its reports), realistic column set of the item report (DOMAIN.md §2.4) with the document lists
// in HMRC's NULL-placeholder form. Synthetic data: not HMRC's.
//
// usage: node scripts/gen-large-cds.js <out.csv> <size> [--prefix AB1234]
//   size: "1g", "250m", "10k" (bytes, rounded up to a whole entry) or "rows=300000"
const fs = require('node:fs');

function parseArgs(argv) {
  const [out, size, ...rest] = argv;
  if (!out || !size) {
    console.error('usage: node scripts/gen-large-cds.js <out.csv> <size: 1g|250m|rows=N> [--prefix XXXXXX]');
    process.exit(2);
  }
  let prefix = 'SYNTH0';
  for (let i = 0; i < rest.length; i++) if (rest[i] === '--prefix') prefix = String(rest[++i] ?? '').toUpperCase();
  if (!/^[A-Z0-9]{6}$/.test(prefix)) throw new Error('--prefix must be 6 letters/digits (it is part of each MRN)');
  let rows = Infinity;
  let bytes = Infinity;
  const m = /^rows=(\d+)$/.exec(size);
  if (m) rows = Number(m[1]);
  else {
    const b = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(size);
    if (!b) throw new Error(`size "${size}" is not like 1g, 250m or rows=N`);
    bytes = Number(b[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[b[2].toLowerCase()];
  }
  return { out, rows, bytes, prefix };
}

const HEADER =
  'MRN,Item Number,Commodity Code,CPC,Country of Origin,Preferential Country of Origin,Goods Description,Preference,Item Price,Invoice Currency,Customs Value,Net Mass,Gross Mass,Valuation Method,Duty Paid,VAT Paid,Acceptance Date,All Item Document Codes,All Item Document References\n';
const CODES = ['6109100010', '8510900000', '6403993690', '8471300000', '9403609090', '3926909790'];
const ORIGINS = ['CN', 'VN', 'IN', 'TR', 'US', 'DE'];

/** Row i of the report (pure function of i and the prefix). */
function row(i, prefix) {
  const entry = Math.floor(i / 3);
  const item = (i % 3) + 1;
  const mrn = `26GB${prefix}${String(entry).padStart(7, '0')}1`;
  const k = (i * 7919) % 997;
  const price = 100 + k;
  const cv = Math.floor(price * 0.86 * 100);
  const origin = ORIGINS[entry % ORIGINS.length];
  const pref = origin === 'TR' || origin === 'VN' ? '300' : '100';
  const duty = Math.floor(cv * 0.12);
  const vat = Math.floor((cv + duty) * 0.2);
  const day = String((entry % 28) + 1).padStart(2, '0');
  const pounds = (p) => `${Math.floor(p / 100)}.${String(p % 100).padStart(2, '0')}`;
  return `${mrn},${item},${CODES[(entry + item) % CODES.length]},4000000,${origin},${pref === '300' ? origin : ''},"Synthetic goods ${entry}/${item}, cotton",${pref},${price}.50,EUR,${pounds(cv)},${(k % 50) + 1}.5,${(k % 50) + 2}.0,1,${pounds(duty)},${pounds(vat)},${day}/03/2024,"N935,NULL,C505","INV-${entry},NULL,GBCGUGuaranteenotrequired"\n`;
}

async function main() {
  const { out, rows, bytes, prefix } = parseArgs(process.argv.slice(2));
  const ws = fs.createWriteStream(out);
  let written = 0;
  let i = 0;
  const write = (s) => (ws.write(s) ? Promise.resolve() : new Promise((r) => ws.once('drain', r)));
  await write(HEADER);
  written += HEADER.length;
  // Stop at a whole entry (3 rows) once the size is reached.
  while (i < rows && (written < bytes || i % 3 !== 0)) {
    let chunk = '';
    for (let j = 0; j < 3000 && i < rows && (written + chunk.length < bytes || i % 3 !== 0); j++) chunk += row(i++, prefix);
    written += Buffer.byteLength(chunk);
    await write(chunk);
  }
  await new Promise((r) => ws.end(r));
  console.log(`${out}: ${i} item rows, ${Math.ceil(i / 3)} entries, ${written} bytes`);
}

module.exports = { row, HEADER };
if (require.main === module) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
