import { status } from '@customs/grpc';

// Postgres SQLSTATEs of the server or the connection, not of the statement: connection exceptions
// (class 08), shutdowns and restarts (57P01–57P03), too many connections, and the conflicts a
// retry resolves (serialization failure, deadlock).
const PG_TRANSIENT = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const NET_TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * Whether an error in validation's handlers is the infrastructure's rather than the message's,
 * so the batch consumer waits it out instead of dead-lettering (packages/kafka isTransient): the
 * reference service unreachable (gRPC UNAVAILABLE), Postgres restarting or the connection lost.
 * Narrow on purpose: DEADLINE_EXCEEDED may be caused by an oversized batch, so it goes through
 * the ordinary retry-and-split, which isolates a message that is really too much.
 */
export function isTransientError(e: unknown): boolean {
  for (let err = e, depth = 0; err && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    if (typeof err !== 'object') return false;
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (typeof code === 'number' && 'metadata' in err && code === status.UNAVAILABLE) return true;
    if (typeof code === 'string' && (code.startsWith('08') || PG_TRANSIENT.has(code) || NET_TRANSIENT.has(code))) return true;
    if (typeof message === 'string' && /^(Connection terminated|timeout exceeded when trying to connect)/.test(message)) return true;
  }
  return false;
}
