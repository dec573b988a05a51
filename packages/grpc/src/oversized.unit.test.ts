import { MAX_REQUEST_STRING_CHARS, oversizedStringProblem } from './index';

// Issue 11 (hostile corpus case g-long-id): a 100,000-character id reached the handler and gave
// INTERNAL. Any string field over the bound is refused, named by its proto field path.
describe('oversizedStringProblem', () => {
  it('names the first string field over the bound, nested and in lists; leaves bytes and short strings alone', () => {
    const long = 'x'.repeat(MAX_REQUEST_STRING_CHARS + 1);
    expect(oversizedStringProblem({ declarationId: long })).toBe(`field "declaration_id" is longer than ${MAX_REQUEST_STRING_CHARS} characters`);
    expect(oversizedStringProblem({ queries: [{ commodityCode: '0702000007' }, { commodityCode: long }] })).toBe(
      `field "queries[1].commodity_code" is longer than ${MAX_REQUEST_STRING_CHARS} characters`,
    );
    expect(oversizedStringProblem({ declarationId: 'x'.repeat(MAX_REQUEST_STRING_CHARS), content: Buffer.alloc(MAX_REQUEST_STRING_CHARS * 4) })).toBeUndefined();
  });
});
