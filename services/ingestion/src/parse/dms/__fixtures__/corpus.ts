// Test/benchmark helper (not part of the parser): locates HMRC's public DMS samples in the repo.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../../../../..');
export const HMRC_FIXTURES = join(REPO_ROOT, 'packages/testing/fixtures/hmrc');
export const SAMPLES_ROOT = join(HMRC_FIXTURES, 'hmrc-customs-declarations/annotated_XML_samples');
export const STUB_EXAMPLE = join(HMRC_FIXTURES, 'hmrc-customs-declarations-stub/example_accepted_import.xml');
export const STUB_NOTIFICATION = join(HMRC_FIXTURES, 'hmrc-customs-declarations-stub/example_accepted_import_notification.xml');

/** Every .xml / .XML file under the annotated samples, as paths relative to SAMPLES_ROOT, sorted. */
export function listSampleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.xml$/i.test(e.name)) out.push(relative(SAMPLES_ROOT, full));
    }
  };
  walk(SAMPLES_ROOT);
  return out.sort();
}

export function readSample(rel: string): Buffer {
  return readFileSync(join(SAMPLES_ROOT, rel));
}
