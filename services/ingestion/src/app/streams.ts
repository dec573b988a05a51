import type { Readable } from 'node:stream';

// Helpers that read request streams without ever destroying them early: a multipart part or an
// HTTP body that a reader stops consuming must stay drainable, or the rest of the upload breaks.

export async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Reads up to `limit` bytes; on overflow returns what was read plus the still-open iterator. */
export async function readUpTo(stream: AsyncIterable<Buffer> | Readable, limit: number): Promise<{ content: Buffer; chunks: Buffer[]; overflow: boolean; rest?: AsyncIterator<Buffer> }> {
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(b);
    size += b.length;
    if (size > limit) return { content: Buffer.alloc(0), chunks, overflow: true, rest: it };
  }
  return { content: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), chunks, overflow: false };
}

/** The chunks already read, then the rest of the iterator. */
export async function* prepend(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  for (const b of head) yield b;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/** Reads and discards the rest of a stream (a refused file), so the upload can continue. */
export async function drain(rest: AsyncIterator<Buffer>): Promise<void> {
  for (let r = await rest.next(); !r.done; r = await rest.next());
}

/** Passes at most `limit` bytes through; beyond it the rest is drained and truncated() is true. */
export function limitStream(stream: AsyncIterable<Buffer>, limit: number): { chunks: AsyncIterable<Buffer>; truncated: () => boolean } {
  let cut = false;
  async function* gen(): AsyncGenerator<Buffer> {
    let size = 0;
    const it = stream[Symbol.asyncIterator]();
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      if (cut) continue;
      if (size + b.length > limit) {
        cut = true;
        if (limit > size) yield b.subarray(0, limit - size);
        continue;
      }
      size += b.length;
      yield b;
    }
  }
  return { chunks: gen(), truncated: () => cut };
}

/** The first chunk (undefined for an empty stream) and the whole stream again, nothing lost. */
export async function peekFirst(stream: AsyncIterable<Buffer>): Promise<{ first: Buffer | undefined; all: AsyncIterable<Buffer> }> {
  const it = stream[Symbol.asyncIterator]();
  const r = await it.next();
  if (r.done) return { first: undefined, all: once(Buffer.alloc(0)) };
  const first = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
  return { first, all: prepend([first], it) };
}
