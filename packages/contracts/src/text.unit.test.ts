import { describeControlCharacter, escapeControlCharacters, findControlCharacter, findControlCharacterIn, tenantIdProblem } from './text';

describe('findControlCharacter', () => {
  it.each([
    ['a\u0000b', 1, 'U+0000 (NUL)'],
    ['\u0001', 0, 'U+0001 (SOH)'],
    ['ab\u001f', 2, 'U+001F (US)'],
    ['x\u007f', 1, 'U+007F (DEL)'],
    ['a\tb', 1, 'U+0009 (TAB)'],
    ['a\nb', 1, 'U+000A (LF)'],
    ['a\rb', 1, 'U+000D (CR)'],
    ['\ud800x', 0, 'U+D800 (unpaired surrogate)'],
    ['x\udc00', 1, 'U+DC00 (unpaired surrogate)'],
  ])('refuses %j in an identifier at %i as %s', (s, index, label) => {
    expect(findControlCharacter(s)).toEqual({ index, codePoint: s.charCodeAt(index), label });
  });

  it.each(['', 'GB123456789000', '23GB00000000000001', 'Café crème ✓', '\ud83d\ude00 paired surrogates', 'a b', '\u0080\u009f (C1 is printable-range UTF-8, not refused)'])('accepts %j', (s) => {
    expect(findControlCharacter(s)).toBeUndefined();
    expect(findControlCharacter(s, { text: true })).toBeUndefined();
  });

  it('lets text keep tabs and line breaks, nothing else', () => {
    expect(findControlCharacter('line 1\r\n\tline 2', { text: true })).toBeUndefined();
    expect(findControlCharacter('line\u000b', { text: true })).toMatchObject({ index: 4, label: 'U+000B (VT)' });
    expect(findControlCharacter('a\u0000', { text: true })).toMatchObject({ index: 1, label: 'U+0000 (NUL)' });
  });

  it('describes the position 1-based', () => {
    expect(describeControlCharacter(findControlCharacter('ab\u0000')!)).toBe('U+0000 (NUL) at character 3');
  });
});

describe('escapeControlCharacters', () => {
  it('writes each forbidden character as a visible escape and leaves the rest', () => {
    expect(escapeControlCharacters('a\u0000b\u007fc\ud800')).toBe('a\\u0000b\\u007fc\\ud800');
    expect(escapeControlCharacters('kept as is ✓')).toBe('kept as is ✓');
    expect(escapeControlCharacters('two\nlines\t', { text: true })).toBe('two\nlines\t');
    expect(escapeControlCharacters('two\nlines')).toBe('two\\u000alines');
  });
});

describe('findControlCharacterIn', () => {
  it('names the first field holding one, through arrays and nested objects, skipping bytes', () => {
    const msg = {
      queries: [
        { commodityCode: '0702000007', date: '2024-01-01' },
        { commodityCode: '07\u000002', date: '' },
      ],
      content: new Uint8Array([0, 0]),
    };
    expect(findControlCharacterIn(msg, { fieldName: (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) })).toEqual({
      path: 'queries[1].commodity_code',
      found: expect.objectContaining({ index: 2, label: 'U+0000 (NUL)' }),
    });
    expect(findControlCharacterIn({ a: { b: ['ok', 5, null, true] } })).toBeUndefined();
  });

  it('checks object keys too', () => {
    expect(findControlCharacterIn({ 'to\u0000': 'x' })?.path).toBe('(key) to\\u0000');
  });

  it('allows line breaks in text mode only', () => {
    expect(findControlCharacterIn({ reason: 'first line\nsecond' }, { text: true })).toBeUndefined();
    expect(findControlCharacterIn({ reason: 'first line\nsecond' })?.path).toBe('reason');
  });
});

describe('tenantIdProblem', () => {
  it.each(['demo', 'platform', 'tenant-e2e.a_1', 'A'.repeat(64)])('accepts %s', (t) => expect(tenantIdProblem(t)).toBeUndefined());
  it.each([
    ['', 'is empty'],
    ['*', 'may hold only letters'],
    ["a'; drop table x; --", 'may hold only letters'],
    ['ten\u0000ant', 'contains U+0000 (NUL)'],
    ['x'.repeat(300), 'is 300 characters long (at most 64)'],
    ['-lead', 'may hold only letters'],
  ])('refuses %j: %s', (t, why) => expect(tenantIdProblem(t)).toContain(why));
});
