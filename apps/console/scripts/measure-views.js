// Measures how long each console view takes to show its data in Chromium on the running platform
// (`make up`, bundled data): full page load (new document, sign-in cookie already set) until the
// view's data is on screen. Prints median and worst of N rounds per view. A measurement, never a
// test assertion. Usage: node apps/console/scripts/measure-views.js [rounds] [console URL] [screenshot dir]
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const root = path.resolve(__dirname, '../../..');
const rounds = Number(process.argv[2] ?? 5);
const base = process.argv[3] || `http://127.0.0.1:${process.env.CONSOLE_PORT || 8080}`;
const shots = process.argv[4];
const tokens = fs
  .readFileSync(path.join(root, '.run/api-tokens'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));
const analyst = tokens.find((l) => l.endsWith(':analyst')).split('=')[0];

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(base);
  await page.getByLabel('API token').fill(analyst);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-testid=queue] tbody tr').first().waitFor();
  const top = await page.evaluate(async () => (await (await fetch('/api/alerts?sort=money&limit=1&rule_type=finding_match')).json()).alerts[0]);
  const views = [
    ['alert queue', '#/alerts', '[data-testid=queue] tbody tr'],
    ['alert detail', `#/alerts/${top.alertId}`, '[data-testid=history] li'],
    ['declaration', `#/declarations/${top.declarationId}`, 'text=All findings'],
    ['deadlines', '#/deadlines', '[data-testid=bucket-180]'],
    ['brokers', '#/brokers', 'main table tbody tr'],
    ['readiness & overview', '#/overview', 'main table tbody tr >> nth=0'],
    ['ingestion health', '#/ingestion', '[data-testid=batches] tbody tr'],
  ];
  const alerts = await page.evaluate(async () => (await (await fetch('/api/alerts?limit=1000&state=')).json()).alerts.length);
  const batches = await page.evaluate(async () => (await (await fetch('/api/batches?limit=500')).json()).batches.length);
  console.log(`console ${base}: ${alerts} alerts, ${batches} batches; ${rounds} rounds per view (full page load → data on screen)`);
  for (const [name, hash, ready] of views) {
    const ms = [];
    for (let i = 0; i < rounds; i++) {
      await page.goto('about:blank');
      const t0 = Date.now();
      await page.goto(`${base}/${hash}`);
      await page.locator(ready).first().waitFor({ timeout: 30000 });
      if (name === 'readiness & overview') await page.locator('canvas').nth(1).waitFor();
      ms.push(Date.now() - t0);
    }
    if (shots) {
      fs.mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `${name.replace(/[^a-z]+/g, '-')}.png`) });
    }
    ms.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(22)} median ${String(ms[Math.floor(ms.length / 2)]).padStart(4)} ms, worst ${String(ms.at(-1)).padStart(4)} ms`);
  }
  await browser.close();
})().catch((e) => {
  console.error(`measure failed: ${e.message}`);
  process.exit(1);
});
