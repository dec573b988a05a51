import { parse } from 'csv-parse/sync';
import { CsvError, CsvSplitter } from './csv';

function split(text: string, chunk: number, max = 1 << 20): string[][] {
  const s = new CsvSplitter(max);
  const out: string[][] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...s.push(text.slice(i, i + chunk)));
  out.push(...s.end());
  return out;
}

describe('CSV record splitter', () => {
  const tricky = '\uFEFFa,b,c\n"x, ""quoted""","multi\nline\r\nvalue",=cmd|\' /C calc\'!A0\n\n1,,3\n"",",",""""\n,,\nlast,no,newline';

  it('agrees with csv-parse on quoting, LF and CRLF files, empty lines and fields, at every chunk size', () => {
    for (const text of [tricky, tricky.replace(/\n(?!line)/g, '\r\n')]) {
      const expected = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
      expect(expected).toHaveLength(6);
      for (let chunk = 1; chunk <= text.length; chunk++) expect(split(text, chunk)).toEqual(expected);
    }
    expect(split(tricky, 5)[1]).toEqual(['x, "quoted"', 'multi\nline\r\nvalue', "=cmd|' /C calc'!A0"]);
  });

  it('reads a file with only CR line ends', () => {
    expect(split('a,b\r1,2\r3,4', 3)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('refuses malformed quoting and oversized records instead of guessing', () => {
    expect(() => split('a,b\n1,x"y"z\n2,3\n', 4)).toThrow(new CsvError('a quote inside unquoted field 2'));
    expect(() => split('a,b\n1,x"y\n2,3\n', 4)).toThrow(new CsvError('the file ends inside a quoted field (unclosed quote)'));
    expect(() => split('a,b\n"1"x,2\n', 4)).toThrow(new CsvError('text after the closing quote of field 1'));
    expect(() => split(`a,b\n${'x'.repeat(200)}\n`, 16, 100)).toThrow(/longer than 100 characters/);
    expect(() => split(`a,b\n"${'x'.repeat(200)}`, 16, 100)).toThrow(/unclosed quote\?/);
  });
});
