import { Metadata, status } from '@customs/grpc';
import { isTransientError } from './transient';

describe('transient errors (waited out, never dead-lettered)', () => {
  const grpc = (code: number) => Object.assign(new Error(`${code} gRPC`), { code, details: '', metadata: new Metadata() });
  const pg = (code: string) => Object.assign(new Error('pg'), { code });

  it('are the reference service unreachable and Postgres or the network failing', () => {
    for (const e of [
      grpc(status.UNAVAILABLE),
      pg('08006'),
      pg('57P01'),
      pg('40001'),
      pg('ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('wrapped', { cause: grpc(status.UNAVAILABLE) }),
    ])
      expect(isTransientError(e)).toBe(true);
  });

  it('are not what the message causes', () => {
    for (const e of [
      grpc(status.DEADLINE_EXCEEDED),
      grpc(status.INVALID_ARGUMENT),
      pg('22021'),
      pg('22008'),
      pg('23505'),
      new Error('invalid byte sequence for encoding "UTF8": 0x00'),
      Object.assign(new Error('numeric code'), { code: status.UNAVAILABLE }),
      'a string',
      undefined,
    ])
      expect(isTransientError(e)).toBe(false);
  });
});
