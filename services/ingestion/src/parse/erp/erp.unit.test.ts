import { erpDate, invoiceKey, parseErpCsv, parseErpJson, receiptIdFor } from './erp';

describe('ERP purchase / goods-receipt lines', () => {
  it('reads a CSV export with aliased columns, exact decimals and dates', () => {
    const csv =
      'Vendor Name,Part Number,Invoice No,Invoice Date,Line,Qty,UoM,Net Amount,Currency,MRN,PO Number,GR Date,Origin\n' +
      'Dhaka Knitwear Ltd,TS-100,INV-7781,05/03/2019,1,1200,pcs,"1,500.00",usd,19gb1234567890abc1,PO-2019-118,2019-03-14,bd\n' +
      'Dhaka Knitwear Ltd,TS-200,INV-7781,05/03/2019,2,640,PCS,800.125,USD,,PO-2019-118,,\n';
    const r = parseErpCsv(Buffer.from(csv), 'gr.csv');
    expect(r.issues).toEqual([]);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatchObject({
      supplier: 'Dhaka Knitwear Ltd',
      sku: 'TS-100',
      invoiceNumber: 'INV-7781',
      invoiceDate: '2019-03-05',
      lineNumber: 1,
      quantity: '1200',
      unit: 'PCS',
      lineValue: { value: '1500.00', currency: 'USD' },
      mrn: '19GB1234567890ABC1',
      purchaseOrder: 'PO-2019-118',
      receiptDate: '2019-03-14',
      originCountry: 'BD',
      sourceName: 'gr.csv',
    });
    expect(r.lines[1]!.lineValue).toEqual({ value: '800.125', currency: 'USD' });
  });

  it('reports each bad row by row number and field and keeps the good rows', () => {
    const csv =
      'Supplier,SKU,Invoice Number,Invoice Date,Line Number,Quantity,Value,Currency,MRN\n' +
      'Acme,A1,INV-1,2024-02-30,1,10,100.00,GBP,\n' +
      'Acme,A2,INV-1,2024-02-01,2,ten,100.00,GBP,\n' +
      ',A3,INV-1,2024-02-01,3,1,1e3,GB,NOTANMRN\n' +
      'Acme,A4,INV-1,2024-02-01,4,1,9.99,EUR,\n' +
      'Acme,A5,INV-1,2024-02-01,4,1,9.99,EUR,\n';
    const r = parseErpCsv(Buffer.from(csv), 'bad.csv');
    expect(r.lines.map((l) => l.sku)).toEqual(['A4']);
    expect(r.issues.map((i) => [i.row, i.location, i.field, i.code])).toEqual([
      [2, 'row 2', 'invoiceDate', 'INVALID_VALUE'],
      [3, 'row 3', 'quantity', 'INVALID_VALUE'],
      [4, 'row 4', 'supplier', 'MISSING_VALUE'],
      [4, 'row 4', 'lineValue', 'INVALID_VALUE'],
      [4, 'row 4', 'currency', 'INVALID_VALUE'],
      [4, 'row 4', 'mrn', 'INVALID_VALUE'],
      [6, 'row 6', 'lineNumber', 'DUPLICATE_LINE'],
    ]);
    expect(r.issues[0]!.reason).toBe('"2024-02-30" is not a real calendar date: February 2024 has 29 days');
    expect(r.issues.every((i) => i.severity === 'error' && i.sourceName === 'bad.csv')).toBe(true);
  });

  it('keeps formula-looking text inert, refuses oversized fields, invalid UTF-8 and a missing column', () => {
    const evil =
      'Supplier,SKU,Invoice Number,Invoice Date,Quantity,Value,Currency\n"=cmd|\' /C calc\'!A0",@SUM(A1),INV-9,2024-01-02,1,5.00,GBP\n' + `Big,${'x'.repeat(1001)},INV-9,2024-01-02,1,5.00,GBP\n`;
    const r = parseErpCsv(Buffer.from(evil), 'evil.csv');
    expect(r.lines[0]).toMatchObject({ supplier: "=cmd|' /C calc'!A0", sku: '@SUM(A1)', lineNumber: 1 });
    expect(r.issues).toEqual([expect.objectContaining({ row: 3, field: 'sku', code: 'FIELD_TOO_LONG' })]);
    expect(parseErpCsv(Buffer.from([0x53, 0xc3, 0x28]), 'x.csv').issues[0]).toMatchObject({ code: 'INVALID_ENCODING' });
    expect(parseErpCsv(Buffer.from('Supplier,SKU\nA,B\n'), 'y.csv').issues[0]).toMatchObject({ code: 'MISSING_COLUMN', row: 1, field: 'invoiceNumber' });
  });

  it('reads a JSON array (camelCase, snake_case, nested amount) and names bad elements by index', () => {
    const json = JSON.stringify([
      { supplier: 'Acme', sku: 'A1', invoiceNumber: 'INV-1', invoiceDate: '2024-02-01', lineNumber: 1, quantity: 3, lineValue: { value: '30.00', currency: 'gbp' } },
      { supplier: 'Acme', sku: 'A2', invoice_number: 'INV-3', invoice_date: '2024-02-01', quantity: '2', value: '20.00', currency: 'GBP', ducr: '4GB123456789000-PO1' },
      { supplier: 'Acme', sku: { nested: true }, invoiceNumber: 'INV-2', invoiceDate: '2024-02-01', quantity: 1, value: 1, currency: 'GBP' },
      'not an object',
    ]);
    const r = parseErpJson(Buffer.from(json), 'erp.json');
    expect(r.lines.map((l) => [l.sku, l.lineNumber, l.quantity, l.lineValue?.value, l.lineValue?.currency, l.ducr])).toEqual([
      ['A1', 1, '3', '30.00', 'GBP', ''],
      ['A2', 1, '2', '20.00', 'GBP', '4GB123456789000-PO1'],
    ]);
    // A2 has no line number: numbered by its order within its invoice.
    expect(r.issues.map((i) => [i.location, i.field, i.code])).toEqual([
      ['$[2].sku', 'sku', 'INVALID_VALUE'],
      ['$[2].sku', 'sku', 'MISSING_VALUE'],
      ['$[3]', '(line)', 'INVALID_VALUE'],
    ]);
    const clash = parseErpJson(
      Buffer.from(
        JSON.stringify([
          { supplier: 'S', sku: 'X', invoiceNumber: 'I', invoiceDate: '2024-01-01', lineNumber: 1, quantity: 1, value: 1, currency: 'GBP' },
          { supplier: 'S', sku: 'Y', invoiceNumber: 'I', invoiceDate: '2024-01-01', quantity: 1, value: 1, currency: 'GBP' },
        ]),
      ),
      'c.json',
    );
    expect(clash.issues).toEqual([expect.objectContaining({ location: '$[1]', code: 'DUPLICATE_LINE' })]);
    expect(parseErpJson(Buffer.from('{"a":1}'), 'o.json').issues[0]).toMatchObject({ code: 'NOT_AN_ARRAY' });
    expect(parseErpJson(Buffer.from('[{'), 'b.json').issues[0]).toMatchObject({ code: 'JSON_MALFORMED', sourceName: 'b.json' });
  });

  it('keys lines by normalised supplier + invoice + line, and matches invoice numbers without case, spaces or punctuation', () => {
    expect(receiptIdFor('t', 'Acme  Ltd', 'inv 1', 1)).toBe(receiptIdFor('t', 'acme ltd', 'INV1', 1));
    expect(receiptIdFor('t', 'Acme', 'INV1', 1)).not.toBe(receiptIdFor('u', 'Acme', 'INV1', 1));
    expect(invoiceKey(' inv-9912 ')).toBe('INV9912');
    expect(invoiceKey('INV 9912')).toBe(invoiceKey('inv/9912'));
    expect(erpDate('29/02/2024')).toBe('2024-02-29');
    expect(erpDate('29/02/2023')).toBeUndefined();
  });
});
