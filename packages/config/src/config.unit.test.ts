import { ConfigError, int, list, parseEnv, port, str, url, bool } from './index';

describe('parseEnv', () => {
  it('parses values and applies defaults', () => {
    const cfg = parseEnv({ A: str(), B: int({ default: 3 }), C: list(), D: bool({ default: false }) }, { A: 'x', C: 'a, b,,c', D: 'yes' });
    expect(cfg).toEqual({ A: 'x', B: 3, C: ['a', 'b', 'c'], D: true });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.C)).toBe(true);
  });

  it('reports every bad variable by name at once', () => {
    let err: unknown;
    try {
      parseEnv({ HTTP_PORT: port(), DATABASE_URL: url({ protocols: ['postgres:'] }), NAME: str() }, { HTTP_PORT: '70000', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual(['HTTP_PORT must be <= 65535, got 70000', 'DATABASE_URL must use postgres:, got mysql:', 'NAME is required (a non-empty string)']);
  });

  it('rejects a non-integer', () => {
    expect(() => parseEnv({ N: int() }, { N: '1.5' })).toThrow('N must be an integer, got "1.5"');
  });
});
