// Debian's Chromium driven by playwright-core (Playwright's own browser download cannot run
// here). launch() gives each run a fresh temporary profile (its own user data dir); each signed-in
// user gets a fresh context, so cookies never leak between them.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test.sh (ensure_chromium installs Debian's chromium) or apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface ConsoleProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts the compiled console server (apps/console/dist/server/main.js) with these settings. */
export async function startConsoleProcess(env: Record<string, string>): Promise<ConsoleProcess> {
  const main = path.resolve(__dirname, '..', 'dist', 'server', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: compile first (tsc -b tsconfig.json)`);
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /console listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`console exited (${code}) before listening:\n${out}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
