import { inflateRawSync } from 'node:zlib';
import { SheetLimitError } from './limits';

/**
 * The ZIP container both workbook formats use (.xlsx: Office Open XML; .ods: OpenDocument):
 * a central-directory walk and raw inflate with an output cap, so a small hostile archive
 * cannot expand into gigabytes (no zip bombs). Stored (0) and deflated (8) entries only, which
 * is what Excel, LibreOffice, Google Sheets and Axlsx write.
 */

/** Largest inflated size of one entry read with the default cap. */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  offset: number;
}

export function zipEntries(buf: Buffer, source: string): ZipEntry[] {
  // End of central directory: last 0x06054b50 within the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${source}: not a ZIP archive (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${source}: ZIP central directory entry ${i + 1} is corrupt`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const unsafe = unsafeEntryName(name);
    if (unsafe) throw new Error(`${source}: ZIP entry "${printable(name)}" ${unsafe}; a workbook's parts are relative paths inside it`);
    out.push({
      name,
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * Why an entry name is not a part of a workbook (a path-traversal name such as `../../etc/passwd`,
 * an absolute or drive path, a backslash path, a control character), or undefined. Such an archive
 * is refused as a whole: no office suite writes one, so it is hostile or broken.
 */
export function unsafeEntryName(name: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'has a control character in its name';
  if (name.includes('\\')) return 'names a path with a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'names an absolute path';
  if (name.split('/').some((seg) => seg === '..')) return 'names a path outside the archive (a ".." segment)';
  return undefined;
}

/** A name for a message: control characters as \uXXXX, at most 200 characters. */
function printable(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
  const s = name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** One entry's bytes as UTF-8 text, inflating at most `maxBytes` (zlib refuses beyond it). */
export function readEntry(buf: Buffer, e: ZipEntry, source: string, maxBytes = MAX_ENTRY_BYTES): string {
  if (e.offset + 30 > buf.length || buf.readUInt32LE(e.offset) !== 0x04034b50) throw new Error(`${source}: ${e.name}: local header missing`);
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data.toString('utf8');
  if (e.method !== 8) throw new Error(`${source}: ${e.name}: unsupported compression method ${e.method}`);
  return inflateRawSync(data, { maxOutputLength: maxBytes }).toString('utf8');
}

/**
 * One XML part of a workbook as text, refused with a SheetLimitError (cap maxContentBytes) when
 * it would inflate past `maxBytes`: the declared size is checked first (a stored entry is not
 * inflated, so zlib's cap does not apply to it), and a deflated entry that understates its size
 * is stopped by the inflate cap before more than `maxBytes` is held.
 */
export function readPart(buf: Buffer, e: ZipEntry, source: string, maxBytes: number): string {
  const tooLarge = () => new SheetLimitError({ source, part: e.name, cap: 'maxContentBytes', limit: maxBytes, what: `inflates to more than ${maxBytes} bytes` });
  if (e.size > maxBytes || (e.method === 0 && e.compressedSize > maxBytes)) throw tooLarge();
  try {
    return readEntry(buf, e, source, maxBytes);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw err;
  }
}
