import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES, REPO_ROOT } from '@customs/testing';
import { parseCdsReports } from './cds/cds-report';
import { parseChiefMss } from './chief/chief-mss';
import { parseDmsDeclaration } from './dms';
import { parseErpCsv, parseErpJson } from './erp/erp';

// Every parser reports a NUL (or another control character other than TAB/LF/CR) as an error
// naming file, row/element and field, and rejects that row or document: nothing with a NUL
// reaches the database (Postgres text cannot hold one).

const HEADER = 'MRN,Item Number,Commodity Code,Goods Description,Acceptance Date\n';
const row = (mrn: string, description: string) => `${mrn},1,0702000007,${description},14/03/2023\n`;
async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('CDS reports', () => {
  it('reject the row (and its entry) with a NUL in a cell, naming row and column; other entries stand', async () => {
    const r = await parseCdsReports([{ sourceName: 'items.csv', chunks: chunks(HEADER + row('23GB12345678901234', 'Tomatoes') + row('23GB12345678901235', 'Toma\u0000toes')) }]);
    expect(r.declarations.map((d) => d.mrn)).toEqual(['23GB12345678901234']);
    expect(r.issues).toEqual([
      expect.objectContaining({
        sourceName: 'items.csv',
        row: 3,
        column: 'Goods Description',
        field: 'description',
        code: 'CONTROL_CHARACTER',
        severity: 'error',
        reason: expect.stringContaining('contains U+0000 (NUL) at character 5'),
      }),
      expect.objectContaining({ row: 3, field: 'entry', code: 'INVALID_VALUE', reason: expect.stringContaining('entry 23GB12345678901235 rejected: row 3: a cell contains U+0000 (NUL)') }),
    ]);
  });

  it('find a control character in a record split across chunks, wherever the split falls', async () => {
    const text = HEADER + row('23GB12345678901234', 'Tomatoes') + row('23GB12345678901235', 'Toma\u0007toes') + row('23GB12345678901236', 'Plums');
    const bell = text.indexOf('\u0007');
    for (const cut of [bell - 20, bell - 1, bell, bell + 1, bell + 10]) {
      const r = await parseCdsReports([{ sourceName: 'x.csv', chunks: chunks(text.slice(0, cut), text.slice(cut, cut + 3), text.slice(cut + 3)) }]);
      expect({ cut, mrns: r.declarations.map((d) => d.mrn), codes: r.issues.map((i) => i.code) }).toEqual({
        cut,
        mrns: ['23GB12345678901234', '23GB12345678901236'],
        codes: ['CONTROL_CHARACTER', 'INVALID_VALUE'],
      });
    }
  });

  it('keep tabs and line breaks inside quoted cells as text', async () => {
    const r = await parseCdsReports([{ sourceName: 'x.csv', chunks: chunks(HEADER + row('23GB12345678901234', '"Cherry\ttomatoes\r\non the vine"')) }]);
    expect(r.issues).toEqual([]);
    expect(r.declarations[0]!.items[0]!.description).toBe('Cherry\ttomatoes\r\non the vine');
  });

  it('reject the file when the header row has one', async () => {
    const r = await parseCdsReports([{ sourceName: 'x.csv', chunks: chunks('MRN,Item\u0000 Number,Commodity Code\n' + '23GB12345678901234,1,0702000007\n') }]);
    expect(r.declarations).toEqual([]);
    expect(r.issues).toEqual([expect.objectContaining({ row: 1, column: 'column 2', field: '(header row)', code: 'CONTROL_CHARACTER', severity: 'error' })]);
  });
});

describe('CHIEF MSS reports', () => {
  it('reject the entry whose row has a NUL', async () => {
    const csv = fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/chief-mss/import-entry-item.csv'), 'utf8').replace(',6109100010,', ',61091\u000000010,');
    const r = await parseChiefMss(Buffer.from(csv), 'mss.csv');
    expect(r.declarations.map((d) => d.lrn)).toEqual(['CHIEF:120-012345K:2020-12-02']);
    expect(r.issues).toEqual(expect.arrayContaining([expect.objectContaining({ row: 2, column: 'Commodity Code', code: 'CONTROL_CHARACTER' })]));
  });
});

describe('ERP receipts', () => {
  const line = { supplier: 'Berlin Textil', sku: 'TS-1', invoiceNumber: 'INV-1', invoiceDate: '2023-03-01', lineNumber: 1, quantity: '1', lineValue: '1.00', currency: 'EUR' };
  it('JSON: a "\\u0000" or unpaired-surrogate escape rejects the line, naming its JSONPath and field', () => {
    const r = parseErpJson(Buffer.from(JSON.stringify([line, { ...line, lineNumber: 2, description: 'bad\u0000' }, { ...line, lineNumber: 3, sku: 'x\ud800' }])), 'gr.json');
    expect(r.lines.map((l) => l.lineNumber)).toEqual([1]);
    expect(r.issues).toEqual([
      expect.objectContaining({ row: 2, location: '$[1].description', field: 'description', code: 'CONTROL_CHARACTER', reason: expect.stringContaining('U+0000 (NUL) at character 4') }),
      expect.objectContaining({ row: 3, location: '$[2].sku', field: 'sku', code: 'CONTROL_CHARACTER', reason: expect.stringContaining('U+D800 (unpaired surrogate)') }),
    ]);
  });

  it('CSV: a NUL in a cell rejects that line, naming row and field', () => {
    const r = parseErpCsv(Buffer.from('Supplier,SKU,Invoice Number,Invoice Date,Line,Quantity,Value,Currency\nA,S1,I1,15/03/2023,1,1,1.00,GBP\nB\u0000,S2,I2,15/03/2023,1,1,1.00,GBP\n'), 'gr.csv');
    expect(r.lines.map((l) => l.supplier)).toEqual(['A']);
    expect(r.issues).toEqual([expect.objectContaining({ row: 3, location: 'row 3', field: 'supplier', code: 'CONTROL_CHARACTER' })]);
  });
});

describe('DMS XML', () => {
  it('a NUL is not well-formed XML 1.0: rejected with line, column and element', () => {
    const xml = fs.readFileSync(path.join(HMRC_SAMPLES, 'TT_FI005b/TT_FI005b.xml'), 'utf8');
    const at = xml.indexOf('<Description>') + '<Description>'.length;
    const r = parseDmsDeclaration(xml.slice(0, at) + '\u0000' + xml.slice(at), { sourceName: 'nul.xml' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      expect.objectContaining({ sourceName: 'nul.xml', line: xml.slice(0, at).split('\n').length, code: 'XML_NOT_WELL_FORMED', elementPath: expect.stringMatching(/\/Description$/) }),
    ]);
  });
});
