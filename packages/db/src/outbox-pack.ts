import type { OutboxMessage } from './inbox-outbox';

/**
 * Many outbox messages in one outbox row ("a pack"). A streamed report commits thousands of
 * declarations per transaction; one row per event cost Postgres a heap tuple, a jsonb parse and
 * two index entries each, and the relay a select and a delete each. A pack is one bytea written
 * as a single TOAST value and published in order, message by message, by the relay, which
 * records how far it got (outbox.sent) so a restart resumes mid-pack instead of re-sending it.
 *
 * Layout (all integers big-endian):
 *   "OBP1" | u32 count | count × message
 *   message = u16 topicLen, topic | u32 keyLen, key | u16 headerCount,
 *             headerCount × (u16 nameLen, name | u32 valueLen, value) | u32 payloadLen, payload
 * Strings are UTF-8.
 */

const MAGIC = 0x4f425031; // "OBP1"

/** At or above this many messages a transaction's outbox writes are packed. */
export const OUTBOX_PACK_MIN_MESSAGES = 64;

/** Packs are cut at about this size so one row stays a modest TOAST value. */
export const OUTBOX_PACK_MAX_BYTES = 8 * 1024 * 1024;

/** A message read back from a pack: bytes stay slices of the pack (no copies, no decoding). */
export interface PackedOutboxMessage {
  topic: string;
  key: Buffer;
  payload: Buffer;
  headers: Record<string, Buffer>;
}

function sizeOf(m: OutboxMessage): number {
  let n = 2 + Buffer.byteLength(m.topic) + 4 + Buffer.byteLength(m.key) + 2 + 4 + m.payload.byteLength;
  for (const name in m.headers) n += 2 + Buffer.byteLength(name) + 4 + Buffer.byteLength(m.headers[name]!);
  return n;
}

/** Splits messages into groups whose packs stay under `maxBytes` (a single larger message goes alone). */
export function groupForPacks(messages: readonly OutboxMessage[], maxBytes = OUTBOX_PACK_MAX_BYTES): OutboxMessage[][] {
  const groups: OutboxMessage[][] = [];
  let current: OutboxMessage[] = [];
  let bytes = 8;
  for (const m of messages) {
    const size = sizeOf(m);
    if (current.length > 0 && bytes + size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 8;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) groups.push(current);
  return groups;
}

export function packOutboxMessages(messages: readonly OutboxMessage[]): Buffer {
  let total = 8;
  for (const m of messages) total += sizeOf(m);
  const buf = Buffer.allocUnsafe(total);
  let o = buf.writeUInt32BE(MAGIC, 0);
  o = buf.writeUInt32BE(messages.length, o);
  const str16 = (s: string) => {
    const n = buf.write(s, o + 2);
    buf.writeUInt16BE(n, o);
    o += 2 + n;
  };
  const str32 = (s: string) => {
    const n = buf.write(s, o + 4);
    buf.writeUInt32BE(n, o);
    o += 4 + n;
  };
  for (const m of messages) {
    str16(m.topic);
    str32(m.key);
    const names = Object.keys(m.headers);
    o = buf.writeUInt16BE(names.length, o);
    for (const name of names) {
      str16(name);
      str32(m.headers[name]!);
    }
    o = buf.writeUInt32BE(m.payload.byteLength, o);
    buf.set(m.payload, o);
    o += m.payload.byteLength;
  }
  if (o !== total) throw new Error(`outbox pack: wrote ${o} of ${total} bytes`);
  return buf;
}

/** Reads a pack; throws naming the offset when the bytes are not a whole pack. */
export function unpackOutboxMessages(pack: Buffer): PackedOutboxMessage[] {
  const fail = (o: number, what: string): never => {
    throw new Error(`outbox pack: ${what} at byte ${o} of ${pack.length}`);
  };
  if (pack.length < 8 || pack.readUInt32BE(0) !== MAGIC) fail(0, 'not a pack (bad magic)');
  const count = pack.readUInt32BE(4);
  let o = 8;
  const take = (n: number): Buffer => {
    if (o + n > pack.length) fail(o, `truncated (needs ${n} bytes)`);
    const b = pack.subarray(o, o + n);
    o += n;
    return b;
  };
  const u16 = () => take(2).readUInt16BE(0);
  const u32 = () => take(4).readUInt32BE(0);
  // Header names repeat in every message of a pack: decode each distinct one once.
  const names = new Map<string, string>();
  const name = (b: Buffer) => {
    const k = b.toString('latin1');
    let s = names.get(k);
    if (s === undefined) names.set(k, (s = b.toString('utf8')));
    return s;
  };
  const out: PackedOutboxMessage[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const topic = name(take(u16()));
    const key = take(u32());
    const headers: Record<string, Buffer> = {};
    for (let h = u16(); h > 0; h--) {
      const n = name(take(u16()));
      headers[n] = take(u32());
    }
    const payload = take(u32());
    out[i] = { topic, key, payload, headers };
  }
  if (o !== pack.length) fail(o, `${pack.length - o} trailing bytes`);
  return out;
}
