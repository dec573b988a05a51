// Entry names a workbook's ZIP may not carry (hostile corpus case w-xlsx-path-traversal: an .xlsx
// with a ../../etc/passwd entry was rejected with no issue saying why).
import { zipOf } from '@customs/testing';
import { readFirstSheet } from './xlsx';
import { unsafeEntryName, zipEntries } from './zip';

describe('zip entry names', () => {
  it.each([
    ['../../etc/passwd', 'outside the archive'],
    ['xl/../../x.xml', 'outside the archive'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/x', 'absolute path'],
    ['xl\\..\\x.xml', 'backslash'],
    ['xl/a\u0000.xml', 'control character'],
  ])('refuses %j (%s)', (name, why) => {
    expect(unsafeEntryName(name)).toContain(why);
  });

  it.each(['xl/worksheets/sheet1.xml', '[Content_Types].xml', 'xl/a..b.xml', 'content.xml'])('takes %j', (name) => {
    expect(unsafeEntryName(name)).toBeUndefined();
  });

  it('refuses the whole archive, naming the entry', () => {
    const book = zipOf([
      { name: '../../etc/passwd', data: 'x' },
      { name: 'xl/worksheets/sheet1.xml', data: '<worksheet/>' },
    ]);
    expect(() => zipEntries(book, 'evil.xlsx')).toThrow('evil.xlsx: ZIP entry "../../etc/passwd" names a path outside the archive');
    expect(() => readFirstSheet('evil.xlsx', book)).toThrow(/\.\.\/\.\.\/etc\/passwd/);
  });
});
