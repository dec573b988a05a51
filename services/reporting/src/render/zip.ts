// ZIP writer for the audit-response pack (archiver, a maintained streaming writer): entries are
// streamed to the HTTP response, never assembled in memory as one buffer.
import archiver from 'archiver';
import type { Readable } from 'node:stream';

export function zipStream(entries: readonly { name: string; content: string | Buffer }[]): Readable {
  const zip = archiver('zip', { zlib: { level: 6 } });
  for (const e of entries) zip.append(e.content, { name: e.name });
  void zip.finalize();
  return zip;
}
