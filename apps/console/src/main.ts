// The console's process: config, then the server; stops cleanly on SIGTERM/SIGINT.
import { exitOnConfigError } from '@customs/config';
import { loadConsoleConfig } from './config';
import { startConsoleServer } from './server';

async function main() {
  // A bad variable is named on stderr and the process exits 78, as the services do.
  const config = exitOnConfigError('console', () => loadConsoleConfig());
  const server = await startConsoleServer(config);
  // One plain line scripts and tests can read the address from (CONSOLE_PORT=0 picks a free port).
  process.stdout.write(`console listening on ${server.url}\n`);
  const stop = () =>
    void server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
main().catch((e) => {
  console.error(`console failed to start: ${(e as Error).message}`);
  process.exit(1);
});
