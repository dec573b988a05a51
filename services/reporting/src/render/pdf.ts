// HTML → PDF through headless Debian Chromium driven by playwright-core (ADR 0008): the PDF is
// the same HTML a browser shows, charts included (server-rendered SVG), so the two never drift.
// One browser per document, started with a fresh profile and removed afterwards: a report is
// rendered rarely, and nothing (cookies, cache, crash state) carries from one document to the next.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PdfRenderer {
  render(html: string): Promise<Buffer>;
}

export class ChromiumPdf implements PdfRenderer {
  // Renders one at a time: two Chromiums at once on a small host cost more than they gain.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly executablePath: string,
    private readonly timeoutMs = 60_000,
  ) {}

  render(html: string): Promise<Buffer> {
    const run = this.queue.then(() => this.renderNow(html));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async renderNow(html: string): Promise<Buffer> {
    const profile = await mkdtemp(path.join(tmpdir(), 'reporting-chromium-'));
    try {
      const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: this.executablePath,
        headless: true,
        args: ARGS,
        timeout: this.timeoutMs,
        offline: true,
        javaScriptEnabled: false,
      });
      try {
        const page = ctx.pages()[0] ?? (await ctx.newPage());
        await page.setContent(html, { waitUntil: 'load', timeout: this.timeoutMs });
        return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
      } finally {
        await ctx.close();
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }
}
